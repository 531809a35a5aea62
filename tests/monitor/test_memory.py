"""The worker gives freed memory back and caps glibc's arenas; elsewhere these do nothing."""

import platform

import pytest

from monitor.memory import cap_malloc_arenas, return_free_memory

glibc = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="mallopt and malloc_trim are glibc's"
)


@glibc
def test_the_arena_cap_is_accepted_by_glibc() -> None:
    assert cap_malloc_arenas(2) is True


@glibc
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    # Many small blocks freed at once leave the heap's top free for malloc_trim to release.
    blocks = [bytearray(4096) for _ in range(20_000)]
    del blocks
    assert return_free_memory() is True
