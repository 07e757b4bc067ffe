"""The executed graph (constants out, not-run chains collapsed), its layered layout, its DOT text."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from shared_data import model_path

from ovgui.core.graph import Spacing, graph_to_dot, lay_out, layered_layout, runtime_graph
from ovgui.core.model import rt_text
from ovgui.core.report import LayerStats

SPACING = Spacing()


def executed(model: ov.Model) -> ov.CompiledModel:
    compiled = ov.Core().compile_model(model, "CPU", {"PERF_COUNT": True, "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    for index, port in enumerate(compiled.inputs):
        request.set_input_tensor(index, ov.Tensor(np.ones(tuple(port.get_shape()), np.float32)))
    request.infer()
    return compiled


def small_model() -> ov.Model:
    x = ops.parameter([1, 4, 8, 8], np.float32, name="x")
    weights = ops.constant(np.ones((4, 4, 1, 1), np.float32), name="w")
    conv = ops.convolution(x, weights, [1, 1], [0, 0], [0, 0], [1, 1], name="conv")
    flat = ops.reshape(conv, ops.constant(np.array([1, 4, 64], np.int64)), False, name="flat")
    return ov.Model([ops.softmax(flat, 2, name="softmax")], [x])


def test_weights_are_left_out_and_times_come_from_the_runtime_graph() -> None:
    graph = runtime_graph(executed(small_model()).get_runtime_model())
    names = [node.name for node in graph.nodes]
    assert "w" not in names and "conv" in names and "softmax" in names
    assert all(node.layer_type != "Const" for node in graph.nodes)
    conv = graph.nodes[names.index("conv")]
    assert conv.executed and conv.real_time_ms is not None and conv.layer_type == "Convolution"
    assert conv.runtime_precision == "f32" and conv.original_layers == ["conv"]
    orders = [node.exec_order for node in graph.nodes]
    assert orders == sorted(orders)


def test_without_counters_every_node_is_shown_as_run_and_weights_still_left_out() -> None:
    compiled = ov.Core().compile_model(small_model(), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    graph = runtime_graph(compiled.get_runtime_model())
    inner = [node for node in graph.nodes if node.layer_type not in ("Input", "Output")]
    assert inner and all(node.executed and node.real_time_ms is None and not node.collapsed for node in inner)
    assert all(node.layer_type != "Const" for node in graph.nodes)
    assert len(graph.edges) == len(graph.nodes) - 1


def layer(name: str, status: str, time_ms: float) -> LayerStats:
    return LayerStats(0, name, "t", "t", status, time_ms, None, time_ms, 0.0)


def test_a_chain_of_nodes_that_did_not_run_is_one_node() -> None:
    """The report says which layers ran: mark the reorder before the in-place reshape as not run too."""
    runtime = executed(small_model()).get_runtime_model()
    ops_by_type = {rt_text(op.get_rt_info(), "layerType"): op for op in runtime.get_ordered_ops()}
    reshape = ops_by_type["Reshape"]
    before = reshape.input(0).get_source_output().get_node().get_friendly_name()
    names = [op.get_friendly_name() for op in runtime.get_ordered_ops()]
    statuses = {name: "EXECUTED" for name in names}
    statuses[before] = statuses[reshape.get_friendly_name()] = "NOT_RUN"
    graph = runtime_graph(runtime, [layer(name, status, 0.5) for name, status in statuses.items()])
    chain = [node for node in graph.nodes if node.collapsed]
    assert len(chain) == 1 and chain[0].collapsed == [before, reshape.get_friendly_name()] and chain[0].name == before
    assert graph.index_of(reshape.get_friendly_name()) == graph.nodes.index(chain[0])
    assert len(graph.edges) == len(graph.nodes) - 1  # still one path from input to output
    assert graph.nodes[graph.index_of("conv")].real_time_ms == 0.5


def assert_well_laid_out(ranks: list[int], positions: list[tuple[float, float]], edges, points) -> None:
    for (source, target), bends in zip(edges, points):
        assert positions[source][1] < positions[target][1]
        assert all(a[1] < b[1] for a, b in pairwise(bends)), "an edge goes up"
    by_rank: dict[int, list[float]] = {}
    for rank, (x, _y) in zip(ranks, positions):
        by_rank.setdefault(rank, []).append(x)
    for xs in by_rank.values():
        xs.sort()
        assert all(b - a >= SPACING.node_width + SPACING.horizontal_gap - 1e-9 for a, b in pairwise(xs))


def test_crossing_edges_are_untangled() -> None:
    """0 and 1 on top, 2 and 3 below; 0->3 and 1->2 cross in the nodes' own order."""
    edges = [(0, 3), (1, 2)]
    layout = layered_layout(4, edges)
    assert layout.crossings == 0
    assert layout.positions[3][0] < layout.positions[2][0]
    assert_well_laid_out(layout.ranks, layout.positions, edges, layout.edge_points)


def test_a_long_edge_bends_through_every_rank_it_crosses() -> None:
    edges = [(0, 1), (1, 2), (2, 3), (0, 3)]
    layout = layered_layout(4, edges)
    assert layout.ranks == [0, 1, 2, 3]
    assert len(layout.edge_points[3]) == 4  # source, two bends, target
    assert_well_laid_out(layout.ranks, layout.positions, edges, layout.edge_points)


def test_a_node_without_inputs_sits_just_above_its_consumer() -> None:
    edges = [(0, 1), (1, 2), (2, 3), (3, 5), (4, 5)]
    assert layered_layout(6, edges).ranks == [0, 1, 2, 3, 3, 4]


def test_edges_must_follow_the_node_order() -> None:
    with pytest.raises(ValueError, match="topological"):
        layered_layout(2, [(1, 0)])


def test_yolov8n_is_laid_out_downwards_without_overlaps_and_the_same_every_time() -> None:
    runtime = executed(ov.Core().read_model(model_path("yolov8"))).get_runtime_model()
    graph = runtime_graph(runtime)
    assert 700 < len(graph.nodes) < len(runtime.get_ordered_ops())
    edges = [(edge.source, edge.target) for edge in graph.edges]
    layout = layered_layout(len(graph.nodes), edges)
    assert_well_laid_out(layout.ranks, layout.positions, edges, layout.edge_points)
    lay_out(graph)
    again = runtime_graph(runtime)
    lay_out(again)
    assert [(n.x, n.y) for n in graph.nodes] == [(n.x, n.y) for n in again.nodes] == layout.positions
    assert [e.points for e in graph.edges] == [e.points for e in again.edges]
    assert min(node.x - SPACING.node_width / 2 for node in graph.nodes) == 0


def test_dot_export_has_every_node_with_its_time_and_every_edge() -> None:
    graph = runtime_graph(executed(small_model()).get_runtime_model(), None)
    graph.nodes[0].name = 'in"put'
    text = graph_to_dot(graph)
    assert text.startswith("digraph runtime {") and text.rstrip().endswith("}")
    assert text.count("[label=") == len(graph.nodes) and text.count(" -> ") == len(graph.edges)
    conv = next(i for i, node in enumerate(graph.nodes) if node.name == "conv")
    assert f"{graph.nodes[conv].real_time_ms:.3f} ms" in text and f"n{conv} [label=\"conv\\nConvolution f32" in text
    assert 'in\\"put' in text
