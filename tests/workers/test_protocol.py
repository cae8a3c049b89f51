"""Frames and error transport between the pool and its workers (app.workers.protocol)."""

from __future__ import annotations

import ast
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import errors
from app.workers import protocol
from app.workers.errors import PoolBusy, WorkerCrashed
from app.workers.protocol import FrameDecoder, ProtocolError, decode_error, encode, read_frame
from tests.workers.handlers import CustomLimit

WORKERS = Path(__file__).resolve().parents[2] / "app" / "workers"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec=None)),  # lone surrogates and NUL included
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def frames_of(data: bytes, chunk: int) -> list[tuple[dict[str, Any], bytes | None]]:
    decoder = FrameDecoder()
    out: list[tuple[dict[str, Any], bytes | None]] = []
    for start in range(0, len(data), chunk):
        out.extend(decoder.feed(data[start : start + chunk]))
    return out


@given(message=st.dictionaries(st.text(), json_values, max_size=5), payload=st.none() | st.binary())
def test_any_json_message_and_payload_survive_a_stream_cut_anywhere(
    message: dict[str, Any], payload: bytes | None
) -> None:
    data = encode(message, payload) + (payload or b"")
    for chunk in (1, 7, len(data)):
        assert frames_of(data * 2, chunk) == [(message, payload)] * 2
    assert read_frame(io.BytesIO(data)) == (message, payload)


def test_a_pickle_lookalike_is_just_text() -> None:
    text = "cos\nsystem\n(S'echo pwned'\ntR."
    assert frames_of(encode({"source": text}), 3) == [({"source": text}, None)]


def test_frames_are_ascii_json_behind_a_header() -> None:
    data = encode({"s": "\ud800é"}, b"\x00\xff")
    assert data[8:] == b'{"s":"\\ud800\\u00e9"}'
    assert protocol.HEADER.unpack_from(data) == (len(data) - 8, 2)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (protocol.HEADER.pack(3, -1) + b"[1]", "not a JSON object"),
        (protocol.HEADER.pack(3, -1) + b"{no", "not JSON"),
        (protocol.HEADER.pack(2, -1) + b"\xff\xfe", "not JSON"),
        (protocol.HEADER.pack(protocol.MAX_JSON + 1, -1), "out of range"),
        (protocol.HEADER.pack(2, -5) + b"{}", "out of range"),
    ],
)
def test_broken_frames_are_protocol_errors(data: bytes, problem: str) -> None:
    with pytest.raises(ProtocolError, match=problem):
        frames_of(data, len(data))


def test_a_stream_that_ends_inside_a_frame_is_a_protocol_error() -> None:
    data = encode({"a": 1}, b"1234")
    assert read_frame(io.BytesIO(b"")) is None
    for cut in (3, 10, len(data) + 2):
        with pytest.raises(ProtocolError, match="ended inside"):
            read_frame(io.BytesIO((data + b"1234")[:cut]))


def round_trip(exc: errors.VisualizerError) -> errors.VisualizerError:
    wire = json.loads(json.dumps(protocol.encode_error(exc)))
    return decode_error(wire)


@pytest.mark.parametrize(
    "exc",
    [
        errors.SourceSyntaxError("bad", line=1, column=2, end_line=1, end_column=4),
        errors.NotAllowed("import is not allowed", line=3, column=1),
        errors.UserRuntimeError("x is not defined", line=2, column=5),
        errors.LimitExceeded("steps", 100_000, "too many steps", line=9, column=1),
        errors.LimitExceeded("wall_time", 0.5, "too long"),
        errors.InvalidRequest("no"),
        CustomLimit("custom", [1, 2]),
        PoolBusy("busy", retry_after=3),
        WorkerCrashed("gone"),
    ],
)
def test_errors_come_back_as_their_own_class_with_every_field(
    exc: errors.VisualizerError,
) -> None:
    back = round_trip(exc)
    assert type(back) is type(exc)
    assert vars(back) == vars(exc)
    assert back.to_dict() == exc.to_dict()
    assert str(back) == str(exc)
    assert back.args == (exc.detail,)


def test_an_unknown_error_class_arrives_as_its_nearest_known_base() -> None:
    wire = protocol.encode_error(errors.UserRuntimeError("x", line=1, column=1))
    wire["classes"].insert(0, "somewhere.Unknown")
    back = decode_error(wire)
    assert type(back) is errors.UserRuntimeError
    assert (back.line, back.column, back.detail) == (1, 1, "x")


def test_error_names_never_import_anything() -> None:
    back = decode_error({"classes": ["os.system", "builtins.eval"], "detail": "d", "fields": {}})
    assert type(back) is errors.VisualizerError


def test_non_json_fields_and_private_ones_stay_behind() -> None:
    exc = errors.UserRuntimeError("x", line=1, column=1)
    exc.handle = object()  # type: ignore[attr-defined]
    exc._secret = "s"  # type: ignore[attr-defined]
    fields = protocol.encode_error(exc)["fields"]
    assert "handle" not in fields and "_secret" not in fields
    assert fields["line"] == 1


def test_infinite_limit_values_survive() -> None:
    back = round_trip(errors.LimitExceeded("memory", math.inf, "d"))
    assert isinstance(back, errors.LimitExceeded) and back.value == math.inf


def test_no_worker_module_uses_pickle_or_multiprocessing() -> None:
    banned = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle"}
    banned |= {"multiprocessing", "copyreg"}
    for path in WORKERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"
