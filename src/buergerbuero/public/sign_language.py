"""The page in German Sign Language (DGS, BITV 2.0 § 4): the operator's own video with
captions, or, until there is one, a page that says so and what helps meanwhile.

The files come from the settings (DGS_*): a bare file name is one in DGS_MEDIA_DIR, served
by the office under /static/dgs/; a path starting with "/" is served by the web server in
front. Another site's address is refused: the Content-Security-Policy allows media from
this site only, and the office loads nothing from third parties. `problems()` says what is
wrong for `check --deploy`; the page itself never fails on a bad setting."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

VIDEO_TYPES = {".webm": "video/webm", ".mp4": "video/mp4", ".m4v": "video/mp4"}
MEDIA_PREFIX = "dgs"


@dataclass(frozen=True)
class SignLanguageVideo:
    src: str
    type: str
    captions: str
    captions_language: str
    poster: str


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or "").strip()


def media_url(value: str) -> str:
    """The address the browser loads one of the operator's files from; ValueError for
    anything that is not a path on this site or a plain file name."""
    if not value:
        return ""
    if value.startswith("/") and not value.startswith("//"):
        return value
    parts = PurePosixPath(value).parts
    if ":" in value or "\\" in value or value.startswith("/") or ".." in parts:
        raise ValueError(value)
    return static(f"{MEDIA_PREFIX}/{value}")


def video_type(value: str) -> str:
    """The MIME type the <source> announces, from the file's extension ("" if unknown)."""
    return VIDEO_TYPES.get(PurePosixPath(value.split("?")[0]).suffix.lower(), "")


def configured_video() -> SignLanguageVideo | None:
    """The video when it and its captions are set and valid; None otherwise (the page then
    says that there is no video yet)."""
    value = _setting("DGS_VIDEO_URL")
    try:
        src = media_url(value)
        captions = media_url(_setting("DGS_CAPTIONS_URL"))
        poster = media_url(_setting("DGS_POSTER_URL"))
    except ValueError:
        return None
    if not src or not captions or not video_type(value):
        return None
    return SignLanguageVideo(
        src=src,
        type=video_type(value),
        captions=captions,
        captions_language=_setting("DGS_CAPTIONS_LANGUAGE") or "de",
        poster=poster,
    )


def problems() -> list[str]:
    """What keeps a configured video from being shown, one sentence each; empty when it is
    fine or when nothing is configured."""
    found = []
    names = ("DGS_VIDEO_URL", "DGS_CAPTIONS_URL", "DGS_POSTER_URL")
    for name in names:
        value = _setting(name)
        try:
            media_url(value)
        except ValueError:
            found.append(
                f"{name} is {value!r}: not a file name in DGS_MEDIA_DIR nor a path on this "
                "site starting with '/'."
            )
            continue
        if value and not value.startswith("/"):
            directory = settings.DGS_MEDIA_DIR
            if directory is None:
                found.append(f"{name} is a file name, but DGS_MEDIA_DIR is not set.")
            elif not (directory / value).is_file():
                found.append(f"{name}: {directory / value} does not exist.")
    video, captions = _setting("DGS_VIDEO_URL"), _setting("DGS_CAPTIONS_URL")
    if video and not video_type(video):
        found.append(f"DGS_VIDEO_URL {video!r} is no .webm, .mp4 or .m4v file.")
    if video and not captions:
        found.append("DGS_VIDEO_URL is set without DGS_CAPTIONS_URL: the video needs captions.")
    if captions and not captions.lower().endswith(".vtt"):
        found.append(f"DGS_CAPTIONS_URL {captions!r} is no WebVTT (.vtt) file.")
    if not video and (captions or _setting("DGS_POSTER_URL")):
        found.append("DGS_CAPTIONS_URL or DGS_POSTER_URL is set, but DGS_VIDEO_URL is not.")
    return found


@require_safe
def sign_language(request):
    return render(request, "public/sign_language.html", {"video": configured_video()})
