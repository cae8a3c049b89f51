"""Fontconfig for the Graphviz of pygraphviz's wheel, loaded without its warnings.

The wheel carries its own fontconfig (2.13, libfontconfig-*.so.1.12.0), and
fontconfig's usual start (`FcInit`, which pango calls on the first PNG or
pango-measured SVG) does two things: it reads the configuration
(`/etc/fonts/fonts.conf`, or `$FONTCONFIG_FILE`), then it parses every file
of the template directory it was compiled with,
`/usr/share/fontconfig/conf.avail`, for their descriptions only
(`FcConfigParseOnly(config, FC_TEMPLATEDIR)` in fcinit.c). That directory
is the system's: Debian 12's fontconfig 2.14 puts `05-reset-dirs-sample.conf`
there (not enabled in /etc/fonts/conf.d), with a `<reset-dirs/>` element
2.13 does not know, so every process that drew a PNG printed

    Fontconfig warning: ".../05-reset-dirs-sample.conf", line 6: unknown element "reset-dirs"

twice on stderr: every CLI command, every server start. A FONTCONFIG_FILE of
our own does not help, since the template directory is compiled in and
parsed whatever the file says.

So the configuration is loaded here the way FcInit loads it, minus that
parse: `FcConfigCreate`, `FcConfigParseAndLoad` of the default file (the
system's fonts.conf, or FONTCONFIG_FILE if set: same fonts, same aliases,
same bytes), `FcConfigSetCurrent`. pango's FcInit then finds a current
configuration and loads nothing. Descriptions of unused templates are all
that is skipped (they serve `fc-conflist`). Genuine problems of the
configuration itself are still reported by fontconfig as before.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable

_lock = threading.Lock()
_done = False


def load_fontconfig(loaded: Callable[[str], ctypes.CDLL]) -> bool:
    """Make the wheel's fontconfig current with the system's configuration,
    once per process, before pango starts it. `loaded` finds a library the
    wheel mapped (app.graphviz.library.loaded). False if it could not (then
    pango's own start runs, warnings and all)."""
    global _done
    with _lock:
        if _done:
            return True
        try:
            fontconfig = loaded("libfontconfig")
        except RuntimeError:
            return False
        pointer = ctypes.c_void_p
        fontconfig.FcConfigGetCurrent.restype = pointer
        fontconfig.FcConfigCreate.restype = pointer
        fontconfig.FcConfigParseAndLoad.argtypes = [pointer, ctypes.c_char_p, ctypes.c_int]
        fontconfig.FcConfigSetCurrent.argtypes = [pointer]
        fontconfig.FcConfigDestroy.argtypes = [pointer]
        config = fontconfig.FcConfigCreate()
        if not config:
            return False
        # NULL: the default file, as FcInit reads it (FONTCONFIG_FILE honoured).
        if not fontconfig.FcConfigParseAndLoad(config, None, 1) or not (
            fontconfig.FcConfigSetCurrent(config)
        ):
            fontconfig.FcConfigDestroy(config)
            return False
        _done = True
        return True
