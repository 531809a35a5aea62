"""Chart geometry: bars in proportion, stacked in order, on an axis with round numbers."""

from __future__ import annotations

import pytest

from webui.charts import horizontal_bars, nice_ceiling, stacked_columns


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (180, 200), (501, 1000)]
)
def test_the_axis_ends_at_a_round_number(value: float, ceiling: int) -> None:
    assert nice_ceiling(value) == ceiling


def test_columns_stack_each_series_in_proportion() -> None:
    chart = stacked_columns(
        ["mon", "tue"], {"complaint": [2, 0], "question": [2, 4]}, width=240, height=124
    )
    # Plot area: y from 8 to 100, axis maximum 5 -> 18.4 px per mention.
    monday = [b for b in chart.bars if b.title.startswith("mon")]
    assert [b.kind for b in monday] == ["complaint", "question"]
    assert [round(b.height, 1) for b in monday] == [36.8, 36.8]
    assert round(monday[0].y + monday[0].height, 1) == 100.0  # sits on the axis
    assert round(monday[1].y + monday[1].height, 1) == round(monday[0].y, 1)  # on top of it
    [tuesday] = [b for b in chart.bars if b.title.startswith("tue")]  # no zero-height bars
    assert tuesday.title == "tue: 4 question" and round(tuesday.height, 1) == 73.6
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2", "3", "4", "5"]
    fifty = stacked_columns(["x"], {"a": [41]})
    assert [t.label for t in fifty.y_ticks] == ["0", "10", "20", "30", "40", "50"]


def test_horizontal_bars_carry_value_and_share_and_can_be_renamed() -> None:
    chart = horizontal_bars([("news", 30), ("social", 10)], width=300)
    assert [b.title for b in chart.bars] == ["news: 30 (75%)", "social: 10 (25%)"]
    assert chart.bars[0].width == 3 * chart.bars[1].width
    named = stacked_columns(["x"], {"under 1 h": [1]}, kinds={"under 1 h": "age0"})
    assert named.bars[0].kind == "age0" and named.bars[0].title == "x: 1 under 1 h"
