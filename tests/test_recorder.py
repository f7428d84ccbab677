"""The recorder: frames by index into a playable MP4, finalised however the recording ends."""
from __future__ import annotations

import imageio_ffmpeg
import numpy as np
import pytest

from viz.errors import UsageError
from viz.video.recorder import Recorder

SIZE = (64, 48)


def frame(i: int) -> np.ndarray:
    """Left half red, right half blue, with a bar whose position encodes the frame index."""
    rgb = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    rgb[:, : SIZE[0] // 2] = (200, 30, 40)
    rgb[:, SIZE[0] // 2:] = (40, 60, 200)
    rgb[:8, 4 * i: 4 * i + 4] = 255
    return rgb


def read_back(path) -> tuple[np.ndarray, dict]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = reader.__next__()
    width, height = meta["size"]
    frames = np.stack([np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader])
    return frames, meta


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_frames_come_back_in_order_at_their_size_and_rate(tmp_path):
    path = tmp_path / "clip.mp4"
    with Recorder(path, fps=24, size=SIZE) as rec:
        for i in range(10):
            rec.write(frame(i))
    frames, meta = read_back(path)
    assert frames.shape == (10, SIZE[1], SIZE[0], 3)
    assert meta["fps"] == 24
    for i, got in enumerate(frames):
        assert np.abs(got[20:, 8:24].astype(int) - (200, 30, 40)).max() < 12
        assert np.abs(got[20:, 40:56].astype(int) - (40, 60, 200)).max() < 12
        assert np.argmax(got[2, :, 1] > 128) == pytest.approx(4 * i, abs=1)
    assert leftovers(tmp_path) == []


def test_an_interrupted_recording_is_finalised_and_kept(tmp_path):
    path = tmp_path / "cut.mp4"
    with pytest.raises(KeyboardInterrupt):
        with Recorder(path, fps=30, size=SIZE) as rec:
            for i in range(5):
                rec.write(frame(i))
            raise KeyboardInterrupt
    frames, _ = read_back(path)
    assert len(frames) == 5
    assert leftovers(tmp_path) == []


def test_a_partial_video_can_be_discarded_instead(tmp_path):
    path = tmp_path / "zoom.mp4"
    with pytest.raises(RuntimeError):
        with Recorder(path, fps=30, size=SIZE, keep_partial=False) as rec:
            rec.write(frame(0))
            raise RuntimeError("crash while drawing")
    assert not path.exists()
    assert leftovers(tmp_path) == []


def test_nothing_is_written_without_frames_and_the_old_file_stays(tmp_path):
    path = tmp_path / "old.mp4"
    path.write_bytes(b"previous")
    with Recorder(path, fps=30, size=SIZE):
        pass
    assert path.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


def test_a_closed_recorder_refuses_frames(tmp_path):
    rec = Recorder(tmp_path / "a.mp4", fps=30, size=SIZE)
    rec.write(frame(0))
    assert rec.close() == tmp_path / "a.mp4"
    assert rec.close() is None
    with pytest.raises(ValueError, match="closed"):
        rec.write(frame(1))


@pytest.mark.parametrize("kwargs, message", [
    (dict(size=(63, 48)), "even"),
    (dict(fps=0), "positive"),
    (dict(path="clip.avi"), r"\.mp4"),
    (dict(path="no/such/folder/clip.mp4"), "does not exist"),
])
def test_bad_settings_are_one_clear_line(tmp_path, monkeypatch, kwargs, message):
    monkeypatch.chdir(tmp_path)
    settings = dict(path="clip.mp4", fps=30, size=SIZE) | kwargs
    with pytest.raises(UsageError, match=message):
        Recorder(**settings)


def test_a_frame_of_the_wrong_shape_is_refused(tmp_path):
    with Recorder(tmp_path / "a.mp4", fps=30, size=SIZE) as rec:
        with pytest.raises(ValueError, match="shape"):
            rec.write(np.zeros((SIZE[0], SIZE[1], 3), np.uint8))
