"""How the caller, the grader server and its children talk.

A child's request and result travel as length-prefixed frames over the child's own two pipes,
which the server hands to the caller (SCM_RIGHTS), so a run's data never passes through the
server. The caller and the server exchange small JSON messages over a SOCK_SEQPACKET pair, one
message per packet, with the pipes attached to the message that hands a child over.
"""

import json
import os
import select
import socket
import struct
import time

from grader.constants import MAX_SOURCE_BYTES, MAX_TRACE_CHARS

HEADER = struct.Struct("!I")
# A request's JSON escapes at worst 6 characters per source byte.
MAX_REQUEST_BYTES = 6 * MAX_SOURCE_BYTES + 4096
# Messages between the caller and the server: a few numbers and names, never a source.
MAX_MESSAGE_BYTES = 4096
FDS_PER_CHILD = 2  # the child's request pipe (write end) and result pipe (read end)


def result_cap(output_bytes: int) -> int:
    """Largest result a child may send: escaped output and source (for messages), a trace,
    and room."""
    return 6 * (output_bytes + MAX_SOURCE_BYTES) + 2 * MAX_TRACE_CHARS + 65536


class FrameTooLarge(ValueError):
    pass


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def write_frame(fd: int, payload: bytes) -> None:
    data = memoryview(frame(payload))
    while data:
        data = data[os.write(fd, data) :]


def read_frame(fd: int, max_bytes: int, deadline: float | None = None) -> bytes | None:
    """One whole frame from a blocking fd; None at end of file or if `deadline` (a
    time.monotonic() value) passes first; FrameTooLarge if it announces more than max_bytes.
    A small frame usually comes in the first read, header and all."""
    received = bytearray()
    size = None
    while size is None or len(received) < HEADER.size + size:
        if deadline is not None and not _readable_before(fd, deadline):
            return None
        wanted = _CHUNK if size is None else min(HEADER.size + size - len(received), 1 << 20)
        chunk = os.read(fd, wanted)
        if not chunk:
            return None
        received += chunk
        if size is None and len(received) >= HEADER.size:
            (size,) = HEADER.unpack_from(received)
            if size > max_bytes:
                raise FrameTooLarge(size)
    return bytes(received[HEADER.size : HEADER.size + size])


# What one read asks for before the frame's size is known: a pipe holds 64 KiB. A reader must
# not take more than its frame, but nothing follows a frame on a child's pipes.
_CHUNK = 1 << 16


def _readable_before(fd: int, deadline: float) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    remaining_ms = max(0, int((deadline - time.monotonic()) * 1000) + 1)
    return bool(poller.poll(remaining_ms))


def send_message(connection: socket.socket, message: dict, fds: tuple[int, ...] = ()) -> None:
    socket.send_fds(connection, [json.dumps(message).encode()], list(fds))


def receive_message(connection: socket.socket) -> tuple[dict | None, list[int]]:
    """The next message and the fds attached to it; (None, []) once the peer has closed."""
    data, fds, _flags, _address = socket.recv_fds(
        connection, MAX_MESSAGE_BYTES, FDS_PER_CHILD, socket.MSG_CMSG_CLOEXEC
    )
    if not data:
        for fd in fds:
            os.close(fd)
        return None, []
    return json.loads(data), fds
