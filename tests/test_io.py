"""Atomic writes: a failed write leaves the previous file intact and no temporary behind."""

import pytest

from nujax._io import atomic_path
from nujax.app.plots import atomic_write_bytes


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "result.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_atomic_write_bytes_creates_folders(tmp_path):
    p = atomic_write_bytes(tmp_path / "a" / "b.png", b"\x89PNG")
    assert p.read_bytes() == b"\x89PNG"


def test_atomic_files_get_the_usual_permissions(tmp_path):
    import os

    from nujax._io import atomic_path

    with atomic_path(tmp_path / "r.txt") as tmp:
        tmp.write_text("x")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "r.txt").stat().st_mode & 0o777 == 0o666 & ~mask
