"""The page in German Sign Language (public/sign_language.py): the operator's video with
captions when it is configured, an honest page when it is not; and the settings' problems
that `check --deploy` reports."""

import re

import pytest
from django.urls import reverse

from buergerbuero.public.sign_language import configured_video, media_url, problems


@pytest.fixture
def no_video(settings):
    settings.DGS_MEDIA_DIR = None
    settings.DGS_VIDEO_URL = ""
    settings.DGS_CAPTIONS_URL = ""
    settings.DGS_POSTER_URL = ""
    settings.DGS_CAPTIONS_LANGUAGE = "de"
    return settings


@pytest.fixture
def media_dir(no_video, tmp_path):
    (tmp_path / "dgs.webm").write_bytes(b"\x1aE\xdf\xa3")
    (tmp_path / "dgs.vtt").write_text("WEBVTT\n")
    (tmp_path / "poster.png").write_bytes(b"\x89PNG")
    no_video.DGS_MEDIA_DIR = tmp_path
    return no_video


def main_of(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("", ""),
        ("dgs.webm", "/static/dgs/dgs.webm"),
        ("ordner/dgs.mp4", "/static/dgs/ordner/dgs.mp4"),
        ("/medien/dgs.webm", "/medien/dgs.webm"),
    ],
)
def test_media_url_is_a_file_of_this_site(value, url):
    assert media_url(value) == url


@pytest.mark.parametrize(
    "value",
    ["https://kreis.example/dgs.webm", "//cdn.example/dgs.webm", "../geheim.webm", "a\\b.webm"],
)
def test_media_url_refuses_other_sites_and_escapes(value):
    with pytest.raises(ValueError, match=re.escape(value)):
        media_url(value)


def test_page_without_video_says_so_and_what_helps(english, no_video):
    html = main_of(english.get(reverse("public:sign_language")).content.decode())
    assert "<video" not in html
    assert "There is no video in German Sign Language here yet." in html
    assert (
        '<p class="notice error">The operator of this office has not provided the video in '
        "German Sign Language yet.</p>" in html
    )
    assert '<a href="/leichte-sprache/">' in html
    assert "sees the interpreter's picture large" in html


def test_page_with_video_has_controls_captions_and_no_autoplay(english, media_dir):
    media_dir.DGS_VIDEO_URL = "dgs.webm"
    media_dir.DGS_CAPTIONS_URL = "dgs.vtt"
    media_dir.DGS_POSTER_URL = "poster.png"
    html = main_of(english.get(reverse("public:sign_language")).content.decode())
    video = html[html.index("<video") : html.index("</video>") + len("</video>")]
    assert " ".join(video.split()) == (
        '<video id="dgs-video" controls preload="metadata" playsinline '
        'poster="/static/dgs/poster.png" aria-describedby="dgs-video-caption"> '
        '<source src="/static/dgs/dgs.webm" type="video/webm"> '
        '<track kind="captions" src="/static/dgs/dgs.vtt" srclang="de" label="German" default> '
        "</video>"
    )
    assert '<a href="/static/dgs/dgs.webm" download>Download the video</a>' in html
    assert "operator" not in html


def test_page_without_captions_shows_no_video(english, media_dir):
    media_dir.DGS_VIDEO_URL = "dgs.webm"
    assert configured_video() is None
    html = main_of(english.get(reverse("public:sign_language")).content.decode())
    assert "<video" not in html


def test_problems_none_when_nothing_or_everything_is_right(media_dir):
    assert problems() == []
    media_dir.DGS_VIDEO_URL = "dgs.webm"
    media_dir.DGS_CAPTIONS_URL = "dgs.vtt"
    assert problems() == []
    media_dir.DGS_VIDEO_URL = "/medien/dgs.mp4"
    media_dir.DGS_CAPTIONS_URL = "/medien/dgs.vtt"
    assert problems() == []


def test_problems_name_each_wrong_setting(media_dir, tmp_path):
    media_dir.DGS_VIDEO_URL = "https://kreis.example/dgs.webm"
    media_dir.DGS_CAPTIONS_URL = "fehlt.vtt"
    media_dir.DGS_POSTER_URL = "poster.png"
    assert problems() == [
        "DGS_VIDEO_URL is 'https://kreis.example/dgs.webm': not a file name in "
        "DGS_MEDIA_DIR nor a path on this site starting with '/'.",
        f"DGS_CAPTIONS_URL: {tmp_path / 'fehlt.vtt'} does not exist.",
    ]


def test_problems_video_without_captions_or_media_dir(no_video):
    no_video.DGS_VIDEO_URL = "dgs.avi"
    assert problems() == [
        "DGS_VIDEO_URL is a file name, but DGS_MEDIA_DIR is not set.",
        "DGS_VIDEO_URL 'dgs.avi' is no .webm, .mp4 or .m4v file.",
        "DGS_VIDEO_URL is set without DGS_CAPTIONS_URL: the video needs captions.",
    ]


def test_problems_captions_without_video_or_not_webvtt(no_video):
    no_video.DGS_CAPTIONS_URL = "/medien/dgs.srt"
    assert problems() == [
        "DGS_CAPTIONS_URL '/medien/dgs.srt' is no WebVTT (.vtt) file.",
        "DGS_CAPTIONS_URL or DGS_POSTER_URL is set, but DGS_VIDEO_URL is not.",
    ]
