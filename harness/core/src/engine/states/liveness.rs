//! Liveness on the explored graph: an obligation owed forever under a fair schedule.
//!
//! A run that ends owing an obligation is caught by the kit at its end. What only the
//! graph can show is a run that never ends and owes it forever: a cycle of states,
//! each owing it, that a fair schedule can stay in. Fairness here is weak fairness:
//! an actor that can move in every state of the cycle moves somewhere in it. In a
//! strongly connected set of states owing the obligation, such a cycle exists exactly
//! when every actor that can move in all of its states moves along one of its edges
//! (then a walk through all of it is fair; if one never moves, no cycle inside it is).

use std::collections::{BTreeSet, VecDeque};

use locklab_models::sim::Property;

use super::driver::{Edge, Graph};
use super::{Path, Step};

/// A lasso: the path to a state of the cycle, then the cycle back to that state.
#[derive(Debug, Clone)]
pub(crate) struct Lasso {
    /// The obligation owed forever.
    pub property: Property,
    /// From the start to the first state of the cycle.
    pub prefix: Path,
    /// Round the cycle, back to where it began.
    pub cycle: Path,
}

/// A fair cycle owing some obligation, if the graph has one; the one with the
/// shortest prefix among those of the first property (in order) that has any.
pub(crate) fn fair_cycle(graph: &Graph) -> Option<Lasso> {
    let owed: BTreeSet<Property> = graph
        .nodes
        .iter()
        .flat_map(|n| n.owed.iter().copied())
        .collect();
    owed.into_iter().find_map(|p| fair_cycle_of(graph, p))
}

fn fair_cycle_of(graph: &Graph, property: Property) -> Option<Lasso> {
    let inside: Vec<bool> = graph
        .nodes
        .iter()
        .map(|n| n.owed.contains(&property))
        .collect();
    let edges: Vec<&Edge> = graph
        .edges
        .iter()
        .filter(|e| inside[e.from] && inside[e.to])
        .collect();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for (i, e) in edges.iter().enumerate() {
        out[e.from].push(i);
    }
    let depth = depths(graph);
    let mut best: Option<(usize, Vec<usize>)> = None;
    for scc in strongly_connected(&inside, &out, &edges) {
        if !fair(graph, &scc, &out, &edges) {
            continue;
        }
        let entry = *scc
            .iter()
            .filter(|&&n| depth[n].is_some())
            .min_by_key(|&&n| (depth[n], n))?;
        if best.as_ref().is_none_or(|(b, _)| depth[entry] < depth[*b]) {
            best = Some((entry, scc));
        }
    }
    let (entry, scc) = best?;
    let members: BTreeSet<usize> = scc.iter().copied().collect();
    Some(Lasso {
        property,
        prefix: path_to(graph, entry),
        cycle: walk(graph, entry, &members, &out, &edges),
    })
}

/// Strongly connected sets of the states `inside`, with at least one move between
/// their states (a state alone counts only with a move to itself). Iterative Tarjan.
fn strongly_connected(inside: &[bool], out: &[Vec<usize>], edges: &[&Edge]) -> Vec<Vec<usize>> {
    let n = inside.len();
    let (mut index, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let mut on_stack = vec![false; n];
    let (mut stack, mut found, mut next) = (Vec::new(), Vec::new(), 0);
    for root in (0..n).filter(|&v| inside[v]) {
        if index[root] != usize::MAX {
            continue;
        }
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = calls.last_mut() {
            if let Some(&e) = out[v].get(*i) {
                *i += 1;
                let w = edges[e].to;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                let cyclic = scc.len() > 1 || out[v].iter().any(|&e| edges[e].to == v);
                if cyclic {
                    scc.sort_unstable();
                    found.push(scc);
                }
            }
        }
    }
    found
}

/// Whether a fair schedule can stay in `scc` for ever: every task that can move in
/// all of its states moves along one of its moves.
fn fair(graph: &Graph, scc: &[usize], out: &[Vec<usize>], edges: &[&Edge]) -> bool {
    let members: BTreeSet<usize> = scc.iter().copied().collect();
    let moved: BTreeSet<u16> = scc
        .iter()
        .flat_map(|&n| out[n].iter().map(|&e| edges[e]))
        .filter(|e| members.contains(&e.to))
        .map(|e| e.task)
        .collect();
    let mut always: Option<BTreeSet<u16>> = None;
    for &n in scc {
        let ready: BTreeSet<u16> = graph.nodes[n].ready.iter().copied().collect();
        always = Some(match always {
            None => ready,
            Some(a) => a.intersection(&ready).copied().collect(),
        });
    }
    always.unwrap_or_default().is_subset(&moved)
}

/// Each state's distance from the start, in moves.
fn depths(graph: &Graph) -> Vec<Option<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for e in &graph.edges {
        out[e.from].push(e.to);
    }
    let mut depth = vec![None; graph.nodes.len()];
    if graph.nodes.is_empty() {
        return depth;
    }
    depth[0] = Some(0);
    let mut queue = VecDeque::from([0]);
    while let Some(v) = queue.pop_front() {
        for &w in &out[v] {
            if depth[w].is_none() {
                depth[w] = depth[v].map(|d| d + 1);
                queue.push_back(w);
            }
        }
    }
    depth
}

/// The decisions of a shortest path from the start to `target`.
fn path_to(graph: &Graph, target: usize) -> Path {
    let all: Vec<&Edge> = graph.edges.iter().collect();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for (i, e) in all.iter().enumerate() {
        out[e.from].push(i);
    }
    shortest(0, |v| v == target, &out, &all, |_| true)
        .map(|edges| decisions(&edges, &all))
        .unwrap_or_default()
}

/// A walk round `members` from `entry` back to it that is fair to every task: each
/// task that can move somewhere on the cycle either moves on it or meets a state
/// where it cannot.
fn walk(
    graph: &Graph,
    entry: usize,
    members: &BTreeSet<usize>,
    out: &[Vec<usize>],
    edges: &[&Edge],
) -> Path {
    let within = |e: &Edge| members.contains(&e.to);
    let tasks: BTreeSet<u16> = members
        .iter()
        .flat_map(|&n| graph.nodes[n].ready.iter().copied())
        .collect();
    let mut at = entry;
    let mut taken: Vec<usize> = Vec::new();
    let mut visited: Vec<usize> = vec![entry];
    for t in tasks {
        let served = taken.iter().any(|&e| edges[e].task == t)
            || visited.iter().any(|&n| !graph.nodes[n].ready.contains(&t));
        if served {
            continue;
        }
        let can_serve = |v: usize| {
            !graph.nodes[v].ready.contains(&t)
                || out[v]
                    .iter()
                    .any(|&e| edges[e].task == t && within(edges[e]))
        };
        let Some(route) = shortest(at, can_serve, out, edges, within) else {
            continue;
        };
        for &e in &route {
            visited.push(edges[e].to);
        }
        taken.extend(route.iter().copied());
        at = taken.last().map_or(at, |&e| edges[e].to);
        if graph.nodes[at].ready.contains(&t) {
            if let Some(&e) = out[at]
                .iter()
                .find(|&&e| edges[e].task == t && within(edges[e]))
            {
                taken.push(e);
                at = edges[e].to;
                visited.push(at);
            }
        }
    }
    if taken.is_empty() {
        if let Some(&e) = out[entry].iter().find(|&&e| within(edges[e])) {
            taken.push(e);
            at = edges[e].to;
        }
    }
    if at != entry {
        if let Some(route) = shortest(at, |v| v == entry, out, edges, within) {
            taken.extend(route);
        }
    }
    decisions(&taken, edges)
}

/// The moves of a shortest route from `from` to a state `goal` accepts, over moves
/// `allowed` accepts (none if `from` is already one).
fn shortest(
    from: usize,
    goal: impl Fn(usize) -> bool,
    out: &[Vec<usize>],
    edges: &[&Edge],
    allowed: impl Fn(&Edge) -> bool,
) -> Option<Vec<usize>> {
    if goal(from) {
        return Some(Vec::new());
    }
    let mut came: Vec<Option<usize>> = vec![None; out.len()];
    let mut seen = vec![false; out.len()];
    seen[from] = true;
    let mut queue = VecDeque::from([from]);
    while let Some(v) = queue.pop_front() {
        for &e in &out[v] {
            let w = edges[e].to;
            if seen[w] || !allowed(edges[e]) {
                continue;
            }
            seen[w] = true;
            came[w] = Some(e);
            if goal(w) {
                let mut route = vec![e];
                let mut at = v;
                while at != from {
                    let back = came[at].expect("reached");
                    route.push(back);
                    at = edges[back].from;
                }
                route.reverse();
                return Some(route);
            }
            queue.push_back(w);
        }
    }
    None
}

fn decisions(route: &[usize], edges: &[&Edge]) -> Path {
    route
        .iter()
        .flat_map(|&e| edges[e].decisions.iter().copied())
        .collect::<Vec<Step>>()
}
