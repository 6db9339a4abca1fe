#!/usr/bin/python3
"""Runs the seed notebook's own code with other parameters and writes its
animation in the oracle format (../shared/oracle/README.md) to stdout.

    /usr/bin/python3 tests/tools/record_notebook.py [NOTEBOOK.txt] B=50 dp=3 ... > ref.jsonl

Needs Debian's python3-matplotlib. The reference files in tests/data/ other
than seed-default.jsonl were made with it; the tests never run it.
"""
import sys, json, re
import matplotlib; matplotlib.use('Agg')
import glob, os
argv = sys.argv[1:]
if argv and not '=' in argv[0]:
    notebook = argv.pop(0)
else:
    here = os.path.dirname(os.path.abspath(__file__))
    notebook = sorted(glob.glob(os.path.join(here, '../../../shared/seed/*.txt')))[0]
src = open(notebook).read()
cells = re.split(r'In \[\d+\]:', src)
helpers, main = cells[2], cells[3]
args = dict(a.split('=') for a in argv)
P = dict(d_model=8, B=48, L=6, dp=2, pp=3, microbatches=12, dp_gpu_delta=16, pp_gpu_delta=12, pp_comm_steps=2, dp_comm_steps=2)
P.update({k:int(v) for k,v in args.items()})
P.setdefault('d_hidden', 2*P['d_model'])
if 'd_hidden' in args: P['d_hidden']=int(args['d_hidden'])
for k in ['d_model','B','L','dp','pp','dp_gpu_delta','pp_gpu_delta','pp_comm_steps','dp_comm_steps']:
    main = re.sub(r'^%s = .*$' % k, '%s = %d' % (k, P[k]), main, flags=re.M)
main = re.sub(r'^d_hidden = .*$', 'd_hidden = %d' % P['d_hidden'], main, flags=re.M)
main = re.sub(r'^microbatches = .*$', 'microbatches = %d' % P['microbatches'], main, flags=re.M)
main = main.split('ani = FuncAnimation')[0]
g = {}; exec(cells[1], g)
exec(helpers, g); exec(main, g)
import numpy as np
objs = {}; labels = {}
pls = g['pipelines']; dp = P['dp']
for pl, dpi in zip(pls, range(dp-1, -1, -1)):
    r = dpi
    for l in range(P['L']):
        objs[f'W1/r{r}/l{l}'] = ('f', pl.weights1[l]); objs[f'W2/r{r}/l{l}'] = ('f', pl.weights2[l])
        for m in range(P['microbatches']):
            objs[f'h/r{r}/l{l}/m{m}'] = ('f', pl.hidden_activations[l][m])
            objs[f'x/r{r}/l{l}/m{m}'] = ('f', pl.residual_activations[l][m])
            objs[f'F1/r{r}/l{l}/m{m}'] = ('s', pl.flops1m[l][m]); objs[f'F2/r{r}/l{l}/m{m}'] = ('s', pl.flops2m[l][m])
        if pl.dp_comms:
            objs[f'AR1/r{r}/l{l}'] = ('s', pl.w1_dp_comms[l]); objs[f'AR2/r{r}/l{l}'] = ('s', pl.w2_dp_comms[l])
    for s in range(len(pl.terminal_residual_activations)):
        for m, o in enumerate(pl.terminal_residual_activations[s]): objs[f'xin/r{r}/s{s}/m{m}'] = ('f', o)
    for s in range(len(pl.pp_comms)):
        for m, o in enumerate(pl.pp_comms[s]): objs[f'P2P/r{r}/s{s}/m{m}'] = ('s', o)
def bbox(kind, o):
    faces = [o[0]] if kind == 'f' else o
    vs = np.concatenate([f._vec[:3].T for f in faces])
    return [float(x) for x in list(vs.min(0)) + list(vs.max(0))]
header = {'meta': {k: P[k] for k in ['d_model','d_hidden','B','L','dp','pp','microbatches','dp_gpu_delta','pp_gpu_delta','pp_comm_steps','dp_comm_steps']},
          'objects': {k: bbox(*v) for k, v in objs.items()},
          'labels': {k: v[1][1].get_text() for k, v in objs.items() if v[0] == 'f'}}
out = [json.dumps(header, sort_keys=True)]
def state():
    st = {}
    for k, (kind, o) in objs.items():
        if kind == 'f':
            a = o[0].get_alpha()
            if a and a > 0:
                c = o[0]._facecolor3d[0][:3]
                st[k] = ['red','green','blue'][int(np.argmax(c))]
        else:
            a = o[0].get_alpha()
            if a and a > 0: st[k] = 'lit' if abs(a-0.25) < 1e-9 else 'dim'
    return st
frame = 0
out.append(json.dumps({'frame': 0, 'state': state()}, sort_keys=True))
for _ in g['update_gen']:
    frame += 1
    out.append(json.dumps({'frame': frame, 'state': state()}, sort_keys=True))
out.append(json.dumps({'frames': frame}))
print('\n'.join(out))
