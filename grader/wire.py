"""Length-prefixed frames: how the caller, the grader server and its children talk over pipes."""

import os
import socket
import struct

HEADER = struct.Struct("!I")


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def write_frame(fd: int, payload: bytes) -> None:
    data = memoryview(frame(payload))
    while data:
        data = data[os.write(fd, data) :]


def read_frame(fd: int, max_bytes: int) -> bytes | None:
    """One whole frame from a blocking fd, or None at end of file or if it exceeds max_bytes."""
    header = _read_exactly_fd(fd, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > max_bytes:
        return None
    return _read_exactly_fd(fd, size)


def _read_exactly_fd(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive_frame(connection: socket.socket, max_bytes: int) -> bytes | None:
    """One whole frame from a socket, or None if it closes first or the frame exceeds max_bytes."""
    try:
        header = _receive_exactly(connection, HEADER.size)
        if header is None:
            return None
        (size,) = HEADER.unpack(header)
        return _receive_exactly(connection, size) if size <= max_bytes else None
    except OSError:
        return None


def _receive_exactly(connection: socket.socket, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = connection.recv(min(size - len(data), 1 << 20))
        if not chunk:
            return None
        data += chunk
    return bytes(data)
