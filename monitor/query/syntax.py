"""The query language's fixed vocabulary and limits: field names, NEAR distances, sizes."""

MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 40
MAX_NEAR = 50
DEFAULT_NEAR = 5
MIN_WILDCARD_PREFIX = 3
SEARCH_FIELDS = ("title", "text", "author")
META_FIELDS = ("site", "lang")
