# Independent oracle for RoadGraphBuilder counts: pyosmium reads the file, this script applies
# INTERFACE.md rules 1, 2, 4 in plain Python and pyproj.Geod (WGS 84) for lengths.
import json, sys, osmium, pyproj
from collections import Counter
path, profile_path = sys.argv[1], sys.argv[2]
prof = json.load(open(profile_path))
mode = prof['mode']
own = {'car': 'motorcar', 'walk': 'foot', 'bicycle': 'bicycle'}.get(mode, mode)
hier = [own] + (['motor_vehicle'] if own not in ('foot', 'bicycle') else []) + (['vehicle'] if own != 'foot' else []) + ['access']
def routable(t):
    if t.get('highway') not in prof['speeds_kmh']: return False
    for k in hier:
        if k in t: return t[k] not in ('no', 'private')
    return True
def direction(t):
    if not prof['oneway']: return (True, True)
    v = t[f'oneway:{mode}'] if f'oneway:{mode}' in t else t.get('oneway')
    if v in ('yes', 'true', '1'): return (True, False)
    if v in ('-1', 'reverse'): return (False, True)
    if v in ('no', 'false', '0'): return (True, True)
    if t.get('junction') in ('roundabout', 'circular'): return (True, False)
    return (True, True)
class H(osmium.SimpleHandler):
    def __init__(s):
        super().__init__(); s.loc = {}; s.ways = []
    def node(s, n): s.loc[n.id] = (n.location.lon, n.location.lat)
    def way(s, w):
        t = {tag.k: tag.v for tag in w.tags}
        if routable(t): s.ways.append((w.id, [n.ref for n in w.nodes], t))
h = H(); h.apply_file(path)
pieces = []; missing = 0
for wid, refs, t in h.ways:
    cur = []
    for r in refs:
        if r not in h.loc:
            missing += 1
            if len(cur) >= 2: pieces.append((wid, cur, t))
            cur = []; continue
        if cur and cur[-1] == r: continue
        cur.append(r)
    if len(cur) >= 2: pieces.append((wid, cur, t))
occ = Counter()
ends = set()
for _, p, _ in pieces:
    ends.add(p[0]); ends.add(p[-1])
    for r in p: occ[r] += 1
isv = lambda r: r in ends or occ[r] >= 2
order = {}
for _, p, _ in pieces:
    for r in p:
        if isv(r) and r not in order: order[r] = len(order)
geod = pyproj.Geod(ellps='WGS84')
edges = []; total = 0.0
for wid, p, t in pieces:
    f, b = direction(t); start = p[0]; length = 0.0
    for a, c in zip(p, p[1:]):
        length += geod.inv(*h.loc[a], *h.loc[c])[2]
        if isv(c):
            edges.append((order[start], order[c], f, b)); total += length; start = c; length = 0.0
n = len(order)
adj = [[] for _ in range(n)]
for u, v, f, b in edges:
    if f: adj[u].append(v)
    if b: adj[v].append(u)
arcs = sum(len(a) for a in adj)
# Kosaraju, iterative
seen = [False]*n; orderl = []
for s in range(n):
    if seen[s]: continue
    stack = [(s, 0)]; seen[s] = True
    while stack:
        v, i = stack[-1]
        if i < len(adj[v]):
            stack[-1] = (v, i+1); w = adj[v][i]
            if not seen[w]: seen[w] = True; stack.append((w, 0))
        else:
            stack.pop(); orderl.append(v)
radj = [[] for _ in range(n)]
for v in range(n):
    for w in adj[v]: radj[w].append(v)
comp = [-1]*n; sizes = []
for s in reversed(orderl):
    if comp[s] >= 0: continue
    c = len(sizes); comp[s] = c; st = [s]; size = 0
    while st:
        v = st.pop(); size += 1
        for w in radj[v]:
            if comp[w] < 0: comp[w] = c; st.append(w)
    sizes.append(size)
m = prof['min_component_nodes']
snap = sum(1 for u, v, _, _ in edges if sizes[comp[u]] >= m and sizes[comp[v]] >= m)
print(json.dumps({'routableWays': len(h.ways), 'vertices': n, 'edges': len(edges), 'arcs': arcs,
                  'totalKm': round(total/1000, 6), 'components': len(sizes), 'largest': max(sizes),
                  'snapTargetEdges': snap, 'missingRefs': missing}))
