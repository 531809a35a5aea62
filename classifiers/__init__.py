"""The mention classifier: a plain scikit-learn library, independent of the rest of the product."""

CATEGORIES: tuple[str, ...] = ("complaint", "question", "journalist_inquiry", "praise", "other")
