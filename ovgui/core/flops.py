"""Operations and memory traffic per op, and per executed layer.

Conventions (the usual ones, so totals compare with model cards):

* one multiply-add is 2 operations (Ultralytics' "GFLOPs" are 2 x the MACs thop counts, and OMZ's
  "GFlops" count the same way), whatever the element type: an int8 convolution does as many
  operations as an f32 one, which is how quantised models are compared with their float originals;
* bias additions, activations and other elementwise ops are one operation per output element;
  pooling and reductions one per input element visited; data movement (reshape, transpose,
  concat, convert, gather, nearest-neighbour resize...) none;
* ops whose inputs all come from constants or static shapes are folded when the model compiles,
  so they cost nothing per inference;
* bytes are what the op's ports hold at their element types: "weights" come from constant
  subgraphs, "activations" from everything else, and the outputs are written;
* an op whose shapes are known only at run time (after NMS, say) is not counted.

Executed layers get the operations of the original ops fused into them (`originalLayersNames`
in the runtime graph), and bytes from their own ports in the runtime graph, so a fused
convolution + bias + activation reads its input and weights and writes one output, and a
Reorder that only converts a layout is seen moving its bytes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

import openvino as ov

from ovgui.core.model import rt_text
from ovgui.core.report import LayerStats


@dataclass(frozen=True)
class OpCost:
    """What one op of the original model costs per inference."""

    flops: float
    weight_bytes: int
    activation_bytes_read: int
    bytes_written: int
    counted: bool = True  # False: no formula for this op type, or shapes known only at run time

    @property
    def bytes_read(self) -> int:
        return self.weight_bytes + self.activation_bytes_read


@dataclass(frozen=True)
class LayerCost:
    """What one executed (runtime) layer costs per inference."""

    flops: float
    bytes_read: int
    bytes_written: int
    float_weight_bytes: int = 0
    """The part of `bytes_read` that is float constants (weights), at the runtime graph's width."""
    float_weight_bits: int = 0

    def bytes_read_by(self, kernel_precision: str) -> int:
        """Bytes read with the float weights at the width the kernel reads them at: the runtime
        graph keeps a bf16 convolution's constant at f32 while the kernel reads the bf16 copy it
        packed at compile time (gaze-estimation-adas-0002's 122/WithoutBiases: 4.7 MB counted,
        2.4 MB read), and labels f16 a constant an f32 kernel reads at f32."""
        bits = FLOAT_WIDTHS.get(kernel_precision)
        if not bits or not self.float_weight_bits or bits == self.float_weight_bits:
            return self.bytes_read
        return self.bytes_read - self.float_weight_bytes + self.float_weight_bytes * bits // self.float_weight_bits


def _elements(port: ov.Output | ov.Input) -> int:
    return math.prod(port.get_shape())


def _port_bytes(port: ov.Output | ov.Input) -> int:
    """0 for a shape known only at run time (the outputs of NMS, say)."""
    if port.get_partial_shape().is_dynamic:
        return 0
    return _elements(port) * port.get_element_type().bitwidth // 8


def _static(op: ov.Node) -> bool:
    ports = [*op.inputs(), *op.outputs()]
    return all(port.get_partial_shape().is_static for port in ports)


def _convolution(op: ov.Node) -> float:
    """Weights [C_out, C_in, k...]: every output element is C_in·k... multiply-adds."""
    weights = op.input(1).get_shape()
    return 2.0 * _elements(op.output(0)) * math.prod(weights[1:])


def _group_convolution(op: ov.Node) -> float:
    """Weights [G, C_out/G, C_in/G, k...]: depthwise is C_in/G = 1."""
    weights = op.input(1).get_shape()
    return 2.0 * _elements(op.output(0)) * math.prod(weights[2:])


def _convolution_backprop(op: ov.Node) -> float:
    """Weights [C_in, C_out, k...]: every input element is scattered into C_out·k... outputs."""
    weights = op.input(1).get_shape()
    return 2.0 * _elements(op.input(0)) * math.prod(weights[1:])


def _group_convolution_backprop(op: ov.Node) -> float:
    """Weights [G, C_in/G, C_out/G, k...]."""
    weights = op.input(1).get_shape()
    return 2.0 * _elements(op.input(0)) * math.prod(weights[2:])


def _matmul(op: ov.Node) -> float:
    """Output [..., M, N] (batch dims broadcast), each element a K-long dot product; a 1-D
    operand is a vector, so K is its length whichever way it is transposed."""
    a = list(op.input(0).get_shape())
    transpose_a = op.get_attributes().get("transpose_a", False)
    k = a[0] if len(a) == 1 else (a[-2] if transpose_a else a[-1])
    return 2.0 * _elements(op.output(0)) * k


def _pooling(op: ov.Node) -> float:
    """One comparison or addition per window element of every output."""
    return float(_elements(op.output(0)) * math.prod(op.get_attributes()["kernel"]))


def _per_input_element(op: ov.Node) -> float:
    return float(_elements(op.input(0)))


def _per_output_element(op: ov.Node) -> float:
    return float(_elements(op.output(0)))


SOFTMAX_OPS_PER_ELEMENT = 5  # max, subtract, exp, sum, divide
NORMALISATION_OPS_PER_ELEMENT = 5  # mean, subtract, square, sum, scale


def _softmax(op: ov.Node) -> float:
    return float(SOFTMAX_OPS_PER_ELEMENT * _elements(op.output(0)))


def _normalisation(op: ov.Node) -> float:
    return float(NORMALISATION_OPS_PER_ELEMENT * _elements(op.output(0)))


def _interpolate(op: ov.Node) -> float:
    """Nearest is a copy; linear weighs 2 neighbours per resized axis, cubic 4 (a multiply-add each)."""
    mode = op.get_attributes().get("mode", "nearest")
    if mode == "nearest":
        return 0.0
    resized_axes = sum(1 for a, b in zip(op.input(0).get_shape(), op.output(0).get_shape()) if a != b)
    taps = 4 if mode == "cubic" else 2
    return 2.0 * _elements(op.output(0)) * taps**resized_axes


def _no_arithmetic(op: ov.Node) -> float:
    return 0.0


ELEMENTWISE = {
    "Add", "Subtract", "Multiply", "Divide", "Maximum", "Minimum", "Power", "SquaredDifference", "Mod", "FloorMod",
    "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "LogicalXor",
    "LogicalNot", "Select", "Relu", "PRelu", "Sigmoid", "Tanh", "Clamp", "Elu", "Selu", "Gelu", "Swish", "HSwish",
    "HSigmoid", "Mish", "SoftPlus", "SoftSign", "Exp", "Log", "Sqrt", "Abs", "Negative", "Sign", "Floor", "Ceiling",
    "Round", "Erf", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
    "FakeQuantize", "FakeConvert", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot", "IsNaN", "IsInf",
    "IsFinite", "ScaleShift", "Bias",
}
REDUCTIONS = {"ReduceMax", "ReduceMin", "ReduceMean", "ReduceSum", "ReduceProd", "ReduceL1", "ReduceL2",
              "ReduceLogicalAnd", "ReduceLogicalOr", "CumSum", "TopK", "ArgMax"}
DATA_MOVEMENT = {
    "Parameter", "Result", "Constant", "Convert", "ConvertLike", "Reshape", "Squeeze", "Unsqueeze", "Transpose",
    "Concat", "Split", "VariadicSplit", "Slice", "StridedSlice", "Gather", "GatherND", "GatherElements", "Scatter",
    "ScatterUpdate", "ScatterNDUpdate", "ScatterElementsUpdate", "Broadcast", "Tile", "Pad", "ShapeOf", "Range",
    "DepthToSpace", "SpaceToDepth", "ShuffleChannels", "ReverseSequence", "Reverse", "Roll", "Identity",
    "ReadValue", "Assign", "NonZero", "PriorBox", "PriorBoxClustered",
}


def _counter(type_name: str) -> Callable[[ov.Node], float] | None:
    special = {
        "Convolution": _convolution,
        "GroupConvolution": _group_convolution,
        "ConvolutionBackpropData": _convolution_backprop,
        "GroupConvolutionBackpropData": _group_convolution_backprop,
        "MatMul": _matmul,
        "MaxPool": _pooling,
        "AvgPool": _pooling,
        "Softmax": _softmax,
        "LogSoftmax": _softmax,
        "MVN": _normalisation,
        "NormalizeL2": _normalisation,
        "BatchNormInference": _per_output_element,
        "Interpolate": _interpolate,
    }
    if type_name in special:
        return special[type_name]
    if type_name in ELEMENTWISE:
        return _per_output_element
    if type_name in REDUCTIONS:
        return _per_input_element
    if type_name in DATA_MOVEMENT:
        return _no_arithmetic
    return None


def per_inference_ops(model: ov.Model) -> set[str]:
    """Names of the ops that run per inference: those downstream of a Parameter through something
    other than a static ShapeOf (the rest is constant-folded when the model compiles)."""
    running: set[str] = set()
    for op in model.get_ordered_ops():
        kind = op.get_type_name()
        if kind == "Parameter" or (kind not in ("ShapeOf", "Constant") and any(
            value.get_source_output().get_node().get_friendly_name() in running for value in op.inputs()
        )):
            running.add(op.get_friendly_name())
    return running


def op_costs(model: ov.Model) -> dict[str, OpCost]:
    """Cost of every op of a model with static shapes, by friendly name; folded ops cost nothing."""
    running = per_inference_ops(model)
    costs = {}
    for op in model.get_ordered_ops():
        name = op.get_friendly_name()
        if name not in running:
            costs[name] = OpCost(0.0, 0, 0, 0)
            continue
        counter = _counter(op.get_type_name())
        weights = activations = 0
        for value in op.inputs():
            if value.get_source_output().get_node().get_friendly_name() in running:
                activations += _port_bytes(value)
            else:
                weights += _port_bytes(value)
        written = sum(_port_bytes(out) for out in op.outputs()) if op.get_type_name() != "Result" else 0
        counted = counter is not None and _static(op)
        flops = counter(op) if counter is not None and counted else 0.0
        costs[name] = OpCost(flops, weights, activations, written, counted)
    return costs


def total_flops(model: ov.Model) -> float:
    """Operations of one inference of the whole model as it was read (before any fusion)."""
    return sum(cost.flops for cost in op_costs(model).values())


def uncounted_types(model: ov.Model) -> list[str]:
    """Types of the ops that run per inference but whose operations are not counted (taken as 0)."""
    costs = op_costs(model)
    return sorted({op.get_type_name() for op in model.get_ordered_ops() if not costs[op.get_friendly_name()].counted})


NO_TRAFFIC_LAYER_TYPES = {"Const", "Input", "Output"}
FLOAT_WIDTHS = {"f32": 32, "bf16": 16, "f16": 16}


def originals_of(runtime_model: ov.Model) -> dict[str, list[str]]:
    """Each executed layer's original ops, as the runtime graph lists them."""
    return {
        op.get_friendly_name(): [n for n in rt_text(op.get_rt_info(), "originalLayersNames").split(",") if n]
        for op in runtime_model.get_ordered_ops()
    }


def _charged_to(model: ov.Model, listed: set[str]) -> dict[str, str]:
    """Where each op's operations go: to itself when the runtime graph lists it, else to its first
    listed consumer downstream, because fusions that drop a name (Sigmoid into Swish, Softmax into
    the Convert after it) keep the consumer's."""
    charged: dict[str, str] = {}
    for op in reversed(model.get_ordered_ops()):
        name = op.get_friendly_name()
        if name in listed:
            charged[name] = name
            continue
        consumers = [t.get_node().get_friendly_name() for out in op.outputs() for t in out.get_target_inputs()]
        target = next((charged[c] for c in sorted(consumers) if c in charged), None)
        if target is not None:
            charged[name] = target
    return charged


def attributed_flops(model: ov.Model, originals: dict[str, list[str]]) -> dict[str, float]:
    """Operations per runtime layer: the sum over its original ops (and ops fusions renamed away);
    an original that several layers list (a split fusion) is shared equally, so the layers add up
    to the model's total."""
    owners: dict[str, list[str]] = defaultdict(list)
    for layer, names in originals.items():
        for name in dict.fromkeys(names):
            owners[name].append(layer)
    flops = dict.fromkeys(originals, 0.0)
    charged = _charged_to(model, set(owners))
    for name, cost in op_costs(model).items():
        if cost.flops and name in charged:
            layers = owners[charged[name]]
            for layer in layers:
                flops[layer] += cost.flops / len(layers)
    return flops


def runtime_layer_costs(model: ov.Model, runtime_model: ov.Model) -> dict[str, LayerCost]:
    """Operations, bytes read and bytes written per layer of the runtime graph, by layer name.
    `model` is the one that was compiled (static shapes); bytes come from the runtime graph's own
    ports, so they are at the precisions the device really used."""
    flops = attributed_flops(model, originals_of(runtime_model))
    costs = {}
    for op in runtime_model.get_ordered_ops():
        name = op.get_friendly_name()
        if rt_text(op.get_rt_info(), "layerType") in NO_TRAFFIC_LAYER_TYPES:
            costs[name] = LayerCost(flops[name], 0, 0)
            continue
        read = sum(_port_bytes(value) for value in op.inputs())
        written = sum(_port_bytes(out) for out in op.outputs())
        weights = [value for value in op.inputs() if _float_constant(value)]
        widths = {value.get_element_type().bitwidth for value in weights}
        costs[name] = LayerCost(flops[name], read, written, sum(_port_bytes(value) for value in weights),
                                widths.pop() if len(widths) == 1 else 0)
    return costs


def _float_constant(port: ov.Input) -> bool:
    source = port.get_source_output().get_node()
    return port.get_element_type().is_real() and rt_text(source.get_rt_info(), "layerType") == "Const"


def with_layer_costs(layers: list[LayerStats], costs: dict[str, LayerCost]) -> tuple[list[LayerStats], float | None]:
    """The layers with their operations, bytes and achieved GFLOP/s (from the steady-state mean),
    and the operations of one inference without in-graph preprocessing (None: none counted).  A
    layer that did not run moves nothing; one with no measured time has no GFLOP/s."""
    costed = [_with_cost(layer, costs[layer.name]) if layer.name in costs else layer for layer in layers]
    counted = [layer.flops for layer in costed if layer.flops is not None and not layer.is_preprocessing]
    return costed, sum(counted) if counted else None


def _with_cost(layer: LayerStats, cost: LayerCost) -> LayerStats:
    ran = layer.executed
    return replace(
        layer,
        flops=cost.flops,
        bytes_read=cost.bytes_read_by(layer.ran_precision) if ran else 0,
        bytes_written=cost.bytes_written if ran else 0,
        gflops_per_s=cost.flops / (layer.real_time_ms * 1e6) if ran and layer.real_time_ms > 0 else None,
    )
