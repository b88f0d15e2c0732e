"""The fonts the brief is set in, shipped with the app, and the check that they (DejaVu Sans and fast subsetting) are there.

Korean and Chinese names must print as the same glyphs on every machine, so
the brief does not rely on whatever CJK font a system happens to have: the
faces come from pinned PyPI packages (Noto Sans KR and SC, SIL OFL) and are
loaded by ``@font-face`` under family names of our own, which no system font
carries, so fontconfig cannot quietly substitute a local font for them.
Latin text is set in DejaVu Sans, the font every Debian system has with
fontconfig (``fonts-dejavu-core``).

:func:`rendering_problems` is the one start-up check: a missing brief font
(shipped or DejaVu Sans), and WeasyPrint running without HarfBuzz's subsetter (``libharfbuzz-subset0``),
which makes every PDF about 30 times slower.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, url_for

# `make run` installs the system libraries, or prints this command when it cannot.
RUN_DEPS_COMMAND = "apt-get install libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"


@dataclass(frozen=True)
class BriefFont:
    """One font file of the brief: the CSS family it is loaded as and the package that ships it."""

    family: str  # the @font-face family, used by brief.css
    filename: str  # the file inside the package; also the last part of its URL
    package: str  # import name of the package that ships it
    distribution: str  # its name on PyPI, for the message when it is missing

    def packaged_path(self) -> Path | None:
        """Where the installed package keeps the file, without importing the package; None if not installed."""
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(next(iter(spec.submodule_search_locations))) / self.filename


BRIEF_FONTS: tuple[BriefFont, ...] = (
    BriefFont("Brief Noto Sans KR", "NotoSansKR-Regular.otf", "pylopdf_fonts_ko", "pylopdf-fonts-ko"),
    BriefFont("Brief Noto Sans SC", "NotoSansSC-Regular.otf", "pylopdf_fonts_zh_cn", "pylopdf-fonts-zh-cn"),
)
_BY_FILENAME = {font.filename: font for font in BRIEF_FONTS}


def font_path(font: BriefFont, folder: str | Path | None = None) -> Path | None:
    """The font's file: in ``folder`` when one is configured (``BRIEF_FONT_DIR``), else in its package."""
    return Path(folder) / font.filename if folder else font.packaged_path()


def font_file(filename: str, folder: str | Path | None = None) -> Path | None:
    """The existing file of the brief font called ``filename``; None for any other name or a missing file.

    Only the names in :data:`BRIEF_FONTS` are looked up, so a URL cannot make
    the app read any other file.
    """
    font = _BY_FILENAME.get(filename)
    path = font_path(font, folder) if font else None
    return path if path is not None and path.is_file() else None


def font_files_by_url(app: Flask) -> dict[str, Path]:
    """URL path -> file of every brief font that is there, for the PDF's URL fetcher (needs a request context)."""
    folder = app.config.get("BRIEF_FONT_DIR")
    files: dict[str, Path] = {}
    for font in BRIEF_FONTS:
        path = font_file(font.filename, folder)
        if path is not None:
            files[url_for("briefs.font", font_file=font.filename)] = path
    return files


def font_face_css(urls: Mapping[str, str]) -> str:
    """``@font-face`` rules for the brief fonts, ``urls`` mapping each file name to its URL."""
    rules: list[str] = []
    for font in BRIEF_FONTS:
        # The names are ours (constants above); the URL comes from url_for, which quotes it.
        rules.append(f'@font-face {{ font-family: "{font.family}"; src: url("{urls[font.filename]}"); }}')
    return " ".join(rules)


# The brief's Latin font, the one face it takes from the system (brief.css).
SYSTEM_FONT_FAMILY = "DejaVu Sans"


def system_font_installed(family: str = SYSTEM_FONT_FAMILY) -> bool:
    """True when fontconfig, as WeasyPrint sees it, has a font of exactly this ``family``.

    fontconfig always answers with *some* font; only the family of that answer
    tells whether the asked-for one is there rather than a substitute.
    """
    from weasyprint.text.ffi import ffi, fontconfig

    config = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
    pattern = ffi.gc(fontconfig.FcPatternCreate(), fontconfig.FcPatternDestroy)
    fontconfig.FcPatternAddString(pattern, b"family", family.encode())
    fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
    fontconfig.FcDefaultSubstitute(pattern)
    result = ffi.new("FcResult *")
    matched = fontconfig.FcFontMatch(config, pattern, result)
    if matched == ffi.NULL:
        return False
    matched = ffi.gc(matched, fontconfig.FcPatternDestroy)
    name = ffi.new("FcChar8 **")
    if fontconfig.FcPatternGetString(matched, b"family", 0, name) != fontconfig.FcResultMatch:
        return False
    return ffi.string(name[0]).decode("utf-8", "replace").casefold() == family.casefold()


def harfbuzz_subset_available() -> bool:
    """True when WeasyPrint subsets fonts with HarfBuzz, by WeasyPrint's own test (``pdf/fonts.py``).

    WeasyPrint loads ``libharfbuzz-subset`` at import and, without it (or with
    a HarfBuzz older than 4.1), falls back to fontTools, which is about 30
    times slower on CJK fonts.
    """
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def rendering_problems(app: Flask) -> list[str]:
    """What the brief's PDF is missing on this machine, one sentence each; empty when all is well."""
    problems: list[str] = []
    folder = app.config.get("BRIEF_FONT_DIR")
    for font in BRIEF_FONTS:
        path = font_path(font, folder)
        if path is None or not path.is_file():
            where = f"in BRIEF_FONT_DIR ({folder})" if folder else f"from the package {font.distribution}"
            problems.append(
                f"The brief font {font.filename} ({font.family}) is missing {where}: Korean and Chinese names "
                f"would print as empty boxes. Run `make install` (it installs {font.distribution})."
            )
    if not system_font_installed():
        problems.append(
            f"The brief's Latin font {SYSTEM_FONT_FAMILY} is not installed: the brief is set in another font. "
            f"Install it: sudo {RUN_DEPS_COMMAND}"
        )
    if not harfbuzz_subset_available():
        problems.append(
            "libharfbuzz-subset0 is missing: WeasyPrint subsets fonts with fontTools instead and every brief PDF "
            f"takes about 30 times longer. Install it: sudo {RUN_DEPS_COMMAND}"
        )
    return problems


def log_rendering_problems(app: Flask) -> list[str]:
    """Log each of :func:`rendering_problems` as a warning on the app's logger, and return them."""
    problems = rendering_problems(app)
    for problem in problems:
        app.logger.warning("Brief PDF: %s", problem)
    return problems
