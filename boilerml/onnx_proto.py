"""The ONNX model of one operator, written as protobuf bytes without the ``onnx`` package.

onnxruntime runs a model handed to it as serialized ONNX protobuf. The ``onnx`` package
builds such bytes, but importing it takes about a second (most of it in its ``ml_dtypes``
dependency, 0.7 to 1.3 s on this machine in December 2026), which every fresh process paid
on its first page. The few messages a one-operator graph needs are simple enough to encode
here: varints and length-delimited fields of the protobuf wire format, with the field
numbers of ``onnx.proto`` (``tests/test_onnx_proto.py`` parses the result with ``onnx`` and
compares it with what ``onnx.helper`` builds).

Integer lists are written packed (numpy builds the varints of a whole array at once): a
tree operator has hundreds of thousands of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: ``TensorProto.DataType`` codes of onnx.proto.
FLOAT, DOUBLE = 1, 11
#: ``AttributeProto.AttributeType`` codes of onnx.proto.
_INT, _STRING, _TENSOR, _INTS, _STRINGS = 2, 3, 4, 7, 8
#: Protobuf wire types: varint and length-delimited.
_VARINT, _LENGTH_DELIMITED = 0, 2


@dataclass(frozen=True)
class DoubleTensor:
    """A one-dimensional float64 tensor attribute (``*_as_tensor`` attributes)."""

    name: str
    values: np.ndarray


#: What an attribute may be: an int, a string, ints, strings, or a float64 tensor.
AttributeValue = int | str | np.ndarray | Sequence[str] | DoubleTensor


def _varints(values: np.ndarray) -> bytes:
    """The protobuf varints of non-negative integers, one after another."""
    numbers = np.asarray(values).astype(np.uint64)
    if numbers.size == 0:
        return b""
    length = np.ones(numbers.shape, dtype=np.int64)  # bytes per number: 7 bits each
    for shift in range(7, 64, 7):
        length += (numbers >> np.uint64(shift)) > 0
    starts = np.cumsum(length) - length
    out = np.empty(int(length.sum()), dtype=np.uint8)
    for position in range(int(length.max())):
        holds = length > position
        low_bits = (numbers[holds] >> np.uint64(7 * position)) & np.uint64(0x7F)
        continues = (length[holds] > position + 1).astype(np.uint64) << np.uint64(7)
        out[starts[holds] + position] = (low_bits | continues).astype(np.uint8)
    return out.tobytes()


def _varint(value: int) -> bytes:
    """The protobuf varint of one non-negative integer."""
    if value < 0:
        raise ValueError("only non-negative integers are encoded")
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint(field << 3 | wire_type)


def _int(field: int, value: int) -> bytes:
    return _key(field, _VARINT) + _varint(value)


def _bytes(field: int, data: bytes) -> bytes:
    return _key(field, _LENGTH_DELIMITED) + _varint(len(data)) + data


def _text(field: int, text: str) -> bytes:
    return _bytes(field, text.encode("utf-8"))


def _tensor(tensor: DoubleTensor) -> bytes:
    """TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian)."""
    values = np.ascontiguousarray(tensor.values, dtype="<f8").ravel()
    return _int(1, len(values)) + _int(2, DOUBLE) + _text(8, tensor.name) + _bytes(9, values.tobytes())


def _attribute(name: str, value: AttributeValue) -> bytes:
    """AttributeProto: name 1, i 3, s 4, t 5, ints 8, strings 9, type 20."""
    if isinstance(value, DoubleTensor):
        body, kind = _bytes(5, _tensor(value)), _TENSOR
    elif isinstance(value, str):
        body, kind = _text(4, value), _STRING
    elif isinstance(value, (int, np.integer)):
        body, kind = _int(3, int(value)), _INT
    elif isinstance(value, np.ndarray):
        body, kind = _bytes(8, _varints(value)), _INTS
    else:  # many repeats of a few strings ("LEAF", "BRANCH_LEQ"): each encoded once
        encoded = {item: _text(9, item) for item in set(value)}
        body, kind = b"".join([encoded[item] for item in value]), _STRINGS
    return _text(1, name) + body + _int(20, kind)


def _value_info(name: str, elem_type: int, columns: int) -> bytes:
    """ValueInfoProto (name 1, type 2) of a matrix with any number of rows and ``columns``
    columns: TypeProto.tensor_type 1 -> elem_type 1, shape 2 -> dim 1 (dim_value 1)."""
    rows = _bytes(1, b"")  # a dimension with neither value nor name: any size
    tensor_type = _int(1, elem_type) + _bytes(2, rows + _bytes(1, _int(1, columns)))
    return _text(1, name) + _bytes(2, _bytes(1, tensor_type))


def single_operator_model(
    op_type: str,
    domain: str,
    attributes: dict[str, AttributeValue],
    inputs: tuple[str, int, int],
    outputs: tuple[str, int, int],
    opsets: tuple[tuple[str, int], ...],
    ir_version: int,
    graph_name: str,
) -> bytes:
    """A serialized ModelProto whose graph is one node from one matrix input to one matrix
    output; ``inputs`` and ``outputs`` are (name, element type, columns). Attributes are
    written in name order, as ``onnx.helper.make_node`` writes them.

    ModelProto: ir_version 1, graph 7, opset_import 8 (domain 1, version 2). GraphProto:
    node 1, name 2, input 11, output 12. NodeProto: input 1, output 2, op_type 4,
    attribute 5, domain 7.
    """
    node = (
        _text(1, inputs[0])
        + _text(2, outputs[0])
        + _text(4, op_type)
        + b"".join(_bytes(5, _attribute(name, attributes[name])) for name in sorted(attributes))
        + _text(7, domain)
    )
    graph = (
        _bytes(1, node)
        + _text(2, graph_name)
        + _bytes(11, _value_info(*inputs))
        + _bytes(12, _value_info(*outputs))
    )
    opset_imports = b"".join(_bytes(8, _text(1, name) + _int(2, version)) for name, version in opsets)
    return _int(1, ir_version) + _bytes(7, graph) + opset_imports
