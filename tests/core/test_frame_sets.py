"""A folder of photos and a video, frame by frame through one compiled model: one result per
frame with where its time went, the single-image behaviour unchanged, and bad sets in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from shared_data import IMAGES, image_path, model_path, write_video

from ovgui.core import events
from ovgui.core.errors import OvguiError
from ovgui.core.inputs import FramePosition, first_frame, frames_again, open_source, read_frame
from ovgui.core.report import FrameResult, Report, RunConfig
from ovgui.core.runner import ProfileRun, RunRequest, run_profile

SQUEEZENET_TOP1 = {"chelsea.png": 285, "dog.jpg": 537, "kite.jpg": 977, "bus.jpg": 408, "person.jpg": 355}


def run(model: str, images: str, **config) -> Report:
    return run_profile(RunRequest(str(model_path(model)), images, RunConfig(precision="f32", **config))).report



def test_a_folder_gives_one_result_per_photo_with_the_manifests_top1():
    report = run("squeezenet", str(IMAGES))
    names = sorted(p.name for p in IMAGES.iterdir() if p.suffix in (".jpg", ".png"))
    assert [r.source.split("/")[-1] for r in report.per_image] == names
    for result in report.per_image:
        name = result.source.split("/")[-1]
        if name in SQUEEZENET_TOP1:
            assert result.classes[0].class_id == SQUEEZENET_TOP1[name], name
    summary = report.frame_set
    assert summary.kind == "images" and summary.frames == len(names)
    assert summary.end_to_end_fps < summary.inference_fps
    assert sum(c.count for c in summary.class_histogram) == len(names)
    assert len(report.latency_ms.samples) == len(names), "each photo once; the warm-up stays apart"


def test_a_folder_through_a_detector_finds_the_buses_people():
    report = run("yolov8", str(IMAGES))
    bus = next(r for r in report.per_image if r.source.endswith("bus.jpg"))
    assert sum(d.label == "person" and d.score > 0.8 for d in bus.detections) == 3
    assert any(d.label == "bus" for d in bus.detections)
    dog = next(r for r in report.per_image if r.source.endswith("dog.jpg"))
    assert any(d.label == "dog" for d in dog.detections)


def test_a_video_gives_one_result_per_frame_and_its_stages_add_up(tmp_path):
    report = run("yolov8", write_video(tmp_path / "clip.avi"))
    assert report.frame_set.kind == "video" and len(report.per_image) == 12
    assert [r.source for r in report.per_image] == [f"frame {i}" for i in range(12)]
    for result in report.per_image:
        assert 0 < result.pipeline_ms.total <= result.wall_ms + 1e-6, "the stages happen inside the frame's wall time"
        assert result.pipeline_ms.decode > 0 and result.pipeline_ms.infer >= result.latency_ms * 0.9
    people = [sum(d.label == "person" for d in r.detections) for r in report.per_image[::3]]
    assert all(count >= 3 for count in people), "every bus.jpg frame shows its people"


def test_throughput_mode_keeps_frames_in_flight(tmp_path):
    report = run("yolov5", write_video(tmp_path / "clip.avi"), mode="throughput", nireq=2)
    assert report.compiled.requests_used == 2
    assert [r.index for r in report.per_image] == list(range(12))
    people = [sum(d.label == "person" for d in r.detections) for r in report.per_image[::3]]
    assert all(count >= 3 for count in people), "each frame's boxes come back with that frame"
    assert report.frame_set.end_to_end_fps > 0 and report.frame_set.inference_fps > 0


def test_frames_and_stride_choose_a_videos_frames(tmp_path):
    report = run("squeezenet", write_video(tmp_path / "clip.avi"), frames=3, stride=2)
    assert [r.source for r in report.per_image] == ["frame 0", "frame 2", "frame 4"]


def test_a_reports_frames_are_read_again_with_its_stride(tmp_path):
    clip = write_video(tmp_path / "clip.avi")
    report = run("squeezenet", clip, frames=3, stride=2)
    again = [(row.source, frame.source) for row, frame in frames_again(report, rows=2)]
    assert again == [("frame 0", "frame 0"), ("frame 2", "frame 2")]
    Path(clip).unlink()
    with pytest.raises(OvguiError, match="video file not found"):
        list(frames_again(report))


def test_stop_mid_video_keeps_what_was_measured(tmp_path):
    clip = write_video(tmp_path / "long.avi", count=400)
    run_ = ProfileRun(RunRequest(str(model_path("squeezenet")), clip, RunConfig(precision="f32")))

    def stop_after_some_frames(event: events.Event) -> None:
        if isinstance(event, events.Progress) and event.iterations_done >= 5:
            run_.cancel()

    run_._emit = stop_after_some_frames
    report = run_.run().report
    run_.release()
    assert not report.completed and 5 <= len(report.per_image) < 400
    assert len(report.latency_ms.samples) == len(report.per_image)


def test_unreadable_files_in_a_folder_are_skipped_with_a_note(tmp_path):
    shutil.copy(image_path("dog.jpg"), tmp_path / "a.jpg")
    (tmp_path / "b.png").write_bytes(b"not a png")
    report = run("squeezenet", str(tmp_path))
    assert len(report.per_image) == 1
    assert any("skipped b.png" in note for note in report.notes)


def broken_links(folder) -> None:
    """A photo (linked, not copied), a link to itself and a link to nothing."""
    (folder / "a.jpg").symlink_to(image_path("dog.jpg"))
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    (folder / "gone.jpg").symlink_to(folder / "missing.jpg")


LINK_NOTES = ["skipped gone.jpg: a link to a missing file", "skipped loop.jpg: a symbolic link loop"]


def test_broken_links_in_a_folder_are_skipped_with_a_note_each(tmp_path):
    broken_links(tmp_path)
    source = open_source([str(tmp_path)])
    assert [path.name for path in source.paths] == ["a.jpg"] and source.notes == LINK_NOTES
    report = run("squeezenet", str(tmp_path))
    assert len(report.per_image) == 1 and report.per_image[0].classes[0].class_id == SQUEEZENET_TOP1["dog.jpg"]
    assert [note for note in report.notes if note.startswith("skipped")] == LINK_NOTES


def test_broken_links_a_glob_matches_are_skipped_with_a_note_each(tmp_path):
    broken_links(tmp_path)
    source = open_source([str(tmp_path / "*.jpg")])
    assert [path.name for path in source.paths] == ["a.jpg"] and source.notes == LINK_NOTES


def test_a_broken_link_named_on_its_own_is_an_error(tmp_path):
    broken_links(tmp_path)
    with pytest.raises(OvguiError, match="image file not found: .*gone.jpg"):
        open_source([str(tmp_path / "a.jpg"), str(tmp_path / "gone.jpg")])


@pytest.mark.parametrize("make,message", [
    (lambda folder: folder, "holds no images OpenCV can read"),
    (lambda folder: (folder / "notes.txt").write_text("x") and folder, "holds no images OpenCV can read"),
    (lambda folder: (folder / "bad.mp4").write_bytes(b"\0" * 1000) and folder / "bad.mp4", "is not a video OpenCV can read"),
    (lambda folder: folder / "*.jpg", "no file matches"),
])
def test_bad_sets_are_one_line(tmp_path, make, message):
    target = make(tmp_path)
    with pytest.raises(OvguiError, match=message):
        run("squeezenet", str(target))


def test_a_single_photo_runs_as_before():
    report = run("squeezenet", str(image_path("dog.jpg")), iterations=7)
    assert report.frame_set is None and report.per_image == []
    assert len(report.latency_ms.samples) == 7 and report.classes[0].class_id == 537


def test_graph_preprocessing_takes_photos_of_different_sizes():
    report = run("squeezenet", str(IMAGES), preprocess="graph")
    tops = {r.source.split("/")[-1]: r.classes[0].class_id for r in report.per_image}
    assert tops["dog.jpg"] == 537 and tops["chelsea.png"] == 285


def test_a_frame_is_read_again_by_its_position_with_the_stride_counted(tmp_path):
    """Frame 4 of the clip is zidane (bus, zidane, dog, cycled): the position counts every frame of
    the file, so the third frame read with stride 2 is found again by its report row alone."""
    clip = write_video(tmp_path / "clip.avi", count=6)
    frames = list(open_source([clip], stride=2).frames())
    assert [frame.position for frame in frames] == [FramePosition(clip, n) for n in (0, 2, 4)]
    third = frames[2]
    row = FrameResult(third.index, third.source, 640, 480, 1.0, 1.0)
    assert row.source == "frame 4" and FramePosition.of(row, clip) == third.position
    assert (read_frame(FramePosition.of(row, clip)) == third.image.bgr).all()


def test_an_image_of_a_set_is_read_again_by_its_path():
    dog = str(image_path("dog.jpg"))
    position = FramePosition.of(FrameResult(0, dog, 1, 1, 1.0, 1.0), None)
    assert position == FramePosition(dog) and position.source == dog
    assert read_frame(position).shape == first_frame(dog).bgr.shape


@pytest.mark.parametrize("make,message", [
    (lambda folder: FramePosition(str(folder / "gone.avi"), 0), "the video .*gone.avi is gone"),
    (lambda folder: FramePosition(write_video(folder / "short.avi", count=2), 5), "cannot read frame 5 of short.avi again"),
])
def test_a_frame_that_cannot_be_read_again_is_one_line(tmp_path, make, message):
    with pytest.raises(OvguiError, match=message):
        read_frame(make(tmp_path))
