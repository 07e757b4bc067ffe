"""The executed graph: nodes and edges from `get_runtime_model()`, a layered layout, a DOT export.

The runtime graph of YOLOv8n has ~1,100 nodes, a quarter of them weights (Const) and the
reorders and reshapes that prepare them once at compile time.  Those are left out, and chains of
pass-through nodes that did not run (in-place reshapes) become one node, so what is drawn is what
executes.  The layout is a small Sugiyama-style one (longest-path layers, dummy nodes on long
edges, barycentric sweeps against crossings, then positions pulled towards their neighbours):
graphviz would be a binary dependency and a pure-Python package (grandalf) one more dependency
for what is ~150 lines here, which lay out YOLOv8n's 872 nodes in under 0.1 s
(scripts/measure_graph_layout.py).
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field
from itertools import pairwise

import openvino as ov

from ovgui.core.model import rt_text
from ovgui.core.report import LayerStats

PASS_THROUGH_ENDS = {"Input", "Output"}
SWEEPS = 4


@dataclass
class GraphNode:
    name: str
    layer_type: str
    exec_order: int
    runtime_precision: str
    original_layers: list[str]
    real_time_ms: float | None
    executed: bool
    collapsed: list[str] = field(default_factory=list)  # the not-run chain this node stands for
    rank: int = 0
    x: float = 0.0
    y: float = 0.0


@dataclass
class GraphEdge:
    source: int
    target: int
    points: list[tuple[float, float]] = field(default_factory=list)  # source centre, bends, target centre


@dataclass
class RuntimeGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]

    def index_of(self, layer_name: str) -> int | None:
        """The node showing a layer (itself, or the collapsed chain it belongs to)."""
        for index, node in enumerate(self.nodes):
            if node.name == layer_name or layer_name in node.collapsed:
                return index
        return None


def runtime_graph(runtime_model: ov.Model, layers: list[LayerStats] | None = None) -> RuntimeGraph:
    """What executed, in execution order: times and run status from `layers` (the report's), else
    from the runtime graph's own `execTimeMcs` (filled only when profiling was on).  Without
    either, every node is shown as run and nothing is collapsed, since nothing is known."""
    by_name = {layer.name: layer for layer in layers or []}
    ops = runtime_model.get_ordered_ops()
    timed = bool(by_name) or any(rt_text(op.get_rt_info(), "execTimeMcs").isdigit() for op in ops)
    nodes = [_node(op, by_name.get(op.get_friendly_name()), timed) for op in ops]
    index = {op.get_friendly_name(): i for i, op in enumerate(ops)}
    inputs = [
        list(dict.fromkeys(index[value.get_source_output().get_node().get_friendly_name()] for value in op.inputs()))
        for op in ops
    ]
    kept = _without_constants(nodes, inputs, timed)
    return _collapsed(nodes, inputs, kept)


def _node(op: ov.Node, layer: LayerStats | None, timed: bool) -> GraphNode:
    info = op.get_rt_info()
    exec_time = rt_text(info, "execTimeMcs")
    time_ms: float | None
    if layer is not None:
        executed, time_ms = layer.executed, layer.real_time_ms
    elif timed:
        executed = exec_time.isdigit()
        time_ms = int(exec_time) / 1000.0 if executed else None
    else:
        executed, time_ms = rt_text(info, "layerType") not in PASS_THROUGH_ENDS, None
    order = rt_text(info, "execOrder")
    return GraphNode(
        name=op.get_friendly_name(),
        layer_type=rt_text(info, "layerType") or op.get_type_name(),
        exec_order=int(order) if order.lstrip("-").isdigit() else -1,
        runtime_precision=rt_text(info, "runtimePrecision"),
        original_layers=[n for n in rt_text(info, "originalLayersNames").split(",") if n],
        real_time_ms=time_ms,
        executed=executed,
    )


def _without_constants(nodes: list[GraphNode], inputs: list[list[int]], timed: bool) -> list[bool]:
    """Weights and what prepares them: Const nodes, and nodes fed only by those that did not run
    (with counters; some do run every inference, like YOLOv8n's 64 zero-point Reorders, and stay)."""
    kept = [True] * len(nodes)
    for i, node in enumerate(nodes):
        fed_by_constants = bool(inputs[i]) and not any(kept[j] for j in inputs[i])
        kept[i] = node.layer_type != "Const" and not (fed_by_constants and (not timed or not node.executed))
    return kept


def _collapsed(nodes: list[GraphNode], inputs: list[list[int]], kept: list[bool]) -> RuntimeGraph:
    """Merge each chain of not-run nodes with one input and one consumer into its first node."""
    preds = [[j for j in inputs[i] if kept[j]] if kept[i] else [] for i in range(len(nodes))]
    succs: list[list[int]] = [[] for _ in nodes]
    for i, sources in enumerate(preds):
        for j in sources:
            succs[j].append(i)

    def passes_through(i: int) -> bool:
        node = nodes[i]
        return not node.executed and node.layer_type not in PASS_THROUGH_ENDS and len(preds[i]) == 1 and len(succs[i]) == 1

    stands_for = list(range(len(nodes)))  # which node each one is drawn as
    for i in range(len(nodes)):
        if kept[i] and passes_through(i) and passes_through(preds[i][0]):
            head = stands_for[preds[i][0]]
            stands_for[i] = head
            if not nodes[head].collapsed:
                nodes[head].collapsed.append(nodes[head].name)
            nodes[head].collapsed.append(nodes[i].name)
    shown = [i for i in range(len(nodes)) if kept[i] and stands_for[i] == i]
    new_index = {old: new for new, old in enumerate(shown)}
    edges = {(new_index[stands_for[j]], new_index[i]) for i in shown for j in preds[i]}
    return RuntimeGraph([nodes[i] for i in shown], [GraphEdge(s, t) for s, t in sorted(edges)])


@dataclass(frozen=True)
class Spacing:
    node_width: float = 160.0
    node_height: float = 36.0
    horizontal_gap: float = 24.0
    vertical_gap: float = 40.0
    dummy_width: float = 8.0


def lay_out(graph: RuntimeGraph, spacing: Spacing = Spacing()) -> None:
    """Top-down layered coordinates (node centres) on the graph's nodes and bend points on its edges."""
    layout = layered_layout(len(graph.nodes), [(e.source, e.target) for e in graph.edges], spacing)
    for node, rank, (x, y) in zip(graph.nodes, layout.ranks, layout.positions):
        node.rank, node.x, node.y = rank, x, y
    for edge, points in zip(graph.edges, layout.edge_points):
        edge.points = points


@dataclass
class Layout:
    ranks: list[int]
    positions: list[tuple[float, float]]
    edge_points: list[list[tuple[float, float]]]
    crossings: int


def layered_layout(node_count: int, edges: list[tuple[int, int]], spacing: Spacing = Spacing()) -> Layout:
    """Nodes 0..n-1 in topological order (every edge goes from a lower index to a higher one, as
    `get_ordered_ops` gives them).  Deterministic: ties keep the order of the nodes."""
    if any(source >= target for source, target in edges):
        raise ValueError("edges must go from a lower node index to a higher one (topological order)")
    ranks = _longest_path_ranks(node_count, edges)
    upper, lower, chains, is_dummy, rank_of = _with_dummies(node_count, edges, ranks)
    layers = _initial_layers(rank_of)
    layers = _reduce_crossings(layers, upper, lower)
    widths = [spacing.dummy_width if dummy else spacing.node_width for dummy in is_dummy]
    xs = _positions(layers, upper, lower, widths, spacing.horizontal_gap)
    step = spacing.node_height + spacing.vertical_gap
    point = [(xs[v], rank_of[v] * step) for v in range(len(rank_of))]
    return Layout(
        ranks=ranks,
        positions=point[:node_count],
        edge_points=[[point[v] for v in chain] for chain in chains],
        crossings=sum(_crossings(layers[r], layers[r + 1], lower) for r in range(len(layers) - 1)),
    )


def _longest_path_ranks(node_count: int, edges: list[tuple[int, int]]) -> list[int]:
    """Each node one rank below its lowest input; a node without inputs (fed only by weights) one
    rank above its first consumer rather than at the top, which would stretch an edge over the
    whole graph (YOLOv8n: 21,000 dummy nodes instead of 1,900)."""
    ranks = [0] * node_count
    for source, target in sorted(edges, key=lambda edge: edge[1]):
        ranks[target] = max(ranks[target], ranks[source] + 1)
    has_input = {target for _, target in edges}
    consumers: dict[int, list[int]] = {}
    for source, target in edges:
        consumers.setdefault(source, []).append(target)
    for v in range(node_count):
        if v not in has_input and v in consumers:
            ranks[v] = min(ranks[t] for t in consumers[v]) - 1
    return ranks


def _with_dummies(node_count: int, edges: list[tuple[int, int]], ranks: list[int]):
    """Split every edge longer than one rank with a dummy node per rank it crosses, so sweeps see
    long edges and they get bend points of their own."""
    rank_of = list(ranks)
    is_dummy = [False] * node_count
    upper: list[list[int]] = [[] for _ in range(node_count)]
    lower: list[list[int]] = [[] for _ in range(node_count)]
    chains = []
    for source, target in edges:
        chain = [source]
        for rank in range(ranks[source] + 1, ranks[target]):
            rank_of.append(rank)
            is_dummy.append(True)
            upper.append([])
            lower.append([])
            chain.append(len(rank_of) - 1)
        chain.append(target)
        for a, b in pairwise(chain):
            lower[a].append(b)
            upper[b].append(a)
        chains.append(chain)
    return upper, lower, chains, is_dummy, rank_of


def _initial_layers(rank_of: list[int]) -> list[list[int]]:
    layers: list[list[int]] = [[] for _ in range(max(rank_of, default=-1) + 1)]
    for v, rank in enumerate(rank_of):
        layers[rank].append(v)
    return layers


def _reduce_crossings(layers: list[list[int]], upper: list[list[int]], lower: list[list[int]]) -> list[list[int]]:
    """Alternate down sweeps (order by the mean position of the nodes above) and up sweeps (of
    those below); keep the ordering with the fewest crossings seen."""
    best = [list(layer) for layer in layers]
    best_crossings = _total_crossings(best, lower)
    current = [list(layer) for layer in layers]
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        order = range(1, len(current)) if down else range(len(current) - 2, -1, -1)
        for r in order:
            fixed = current[r - 1] if down else current[r + 1]
            neighbours = upper if down else lower
            current[r] = _by_barycentre(current[r], fixed, neighbours)
        crossings = _total_crossings(current, lower)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in current], crossings
    return best


def _by_barycentre(layer: list[int], fixed: list[int], neighbours: list[list[int]]) -> list[int]:
    position = {v: i for i, v in enumerate(fixed)}
    keys = []
    for i, v in enumerate(layer):
        around = [position[u] for u in neighbours[v] if u in position]
        keys.append((sum(around) / len(around) if around else float(i), i))
    return [layer[i] for _, i in sorted(keys)]


def _total_crossings(layers: list[list[int]], lower: list[list[int]]) -> int:
    return sum(_crossings(layers[r], layers[r + 1], lower) for r in range(len(layers) - 1))


def _crossings(top: list[int], bottom: list[int], lower: list[list[int]]) -> int:
    """Edge crossings between two adjacent layers: inversions of the lower ends, taken in the
    order of the upper ends."""
    position = {v: i for i, v in enumerate(bottom)}
    ends = [position[w] for v in top for w in sorted(lower[v], key=position.__getitem__)]
    seen: list[int] = []
    inversions = 0
    for end in ends:
        inversions += len(seen) - bisect_right(seen, end)
        insort(seen, end)
    return inversions


def _positions(
    layers: list[list[int]], upper: list[list[int]], lower: list[list[int]], widths: list[float], gap: float
) -> list[float]:
    """Packed left to right first, then each layer pulled towards the mean x of its neighbours,
    keeping its order and the spacing (the mean of a leftward-packed and a rightward-packed
    placement keeps both)."""
    xs = [0.0] * len(widths)
    for layer in layers:
        _place(layer, [0.0] * len(layer), widths, gap, xs, pack_only=True)
    for sweep in range(SWEEPS):
        neighbours = upper if sweep % 2 == 0 else lower
        for layer in layers if sweep % 2 == 0 else reversed(layers):
            wanted = [
                sum(xs[u] for u in neighbours[v]) / len(neighbours[v]) if neighbours[v] else xs[v] for v in layer
            ]
            _place(layer, wanted, widths, gap, xs)
    left = min((xs[v] - widths[v] / 2 for v in range(len(xs))), default=0.0)
    return [x - left for x in xs]


def _place(
    layer: list[int], wanted: list[float], widths: list[float], gap: float, xs: list[float], pack_only: bool = False
) -> None:
    separation = [(widths[a] + widths[b]) / 2 + gap for a, b in pairwise(layer)]
    from_left = list(wanted)
    for i in range(1, len(layer)):
        from_left[i] = max(wanted[i], from_left[i - 1] + separation[i - 1])
    if pack_only:
        for v, x in zip(layer, from_left):
            xs[v] = x
        return
    from_right = list(wanted)
    for i in range(len(layer) - 2, -1, -1):
        from_right[i] = min(wanted[i], from_right[i + 1] - separation[i])
    for v, a, b in zip(layer, from_left, from_right):
        xs[v] = (a + b) / 2


def graph_to_dot(graph: RuntimeGraph) -> str:
    """Graphviz text with each node's type, precision and time, shaded by its share of the time
    (white for none, full red from a tenth of the total)."""
    total = sum(node.real_time_ms or 0.0 for node in graph.nodes) or 1.0
    lines = ["digraph runtime {", '  node [shape=box, style="rounded,filled", fontname="Helvetica"];']
    for i, node in enumerate(graph.nodes):
        time_ms = node.real_time_ms
        title = f"{len(node.collapsed)} not-run nodes from {node.name}" if node.collapsed else node.name
        details = " ".join(part for part in (node.layer_type, node.runtime_precision) if part)
        timing = f"{time_ms:.3f} ms" if time_ms is not None else "no time"
        share = (time_ms or 0.0) / total
        lines.append(
            f'  n{i} [label="{_escaped(title)}\\n{_escaped(details)}\\n{timing}", '
            f'fillcolor="0.000 {min(1.0, share * 10):.3f} 1.000", time_ms={time_ms or 0.0:.6f}, '
            f'exec_order={node.exec_order}];'
        )
    lines.extend(f"  n{edge.source} -> n{edge.target};" for edge in graph.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
