"""Plotting attacks for the hostile corpus (tests/evaluate/hostile.py).

What matplotlib would do with a file, a link, a global setting, a callback
or a size the program chose: each is refused before anything is drawn, or
stopped at its named limit, or refused by matplotlib or torch themselves
(a runtime error the program may catch, as in Python). `MARKER` is a path
in a temporary directory: nothing may be written there, nor read from it.
"""

from __future__ import annotations

NA = "not_allowed"
LIM = "limit_exceeded"
RUN = "runtime_error"

FILES_AND_LINKS: list[tuple[str, str]] = [
    ("plt.plot([1, 2])\nplt.savefig('MARKER')", NA),
    ("fig = plt.figure()\nfig.savefig('MARKER')", NA),
    ("fig, ax = plt.subplots()\nax.figure.savefig('MARKER')", NA),
    ("plt.imread('MARKER')", NA),
    ("plt.imsave('MARKER', torch.ones(2, 2))", NA),
    ("plt.imshow('MARKER')", RUN),
    ("plt.plot([1, 2], url='https://evil.example/')", NA),
    ("plt.plot([1, 2], gid='x\" onload=\"alert(1)')", NA),
    ("fig, ax = plt.subplots()\nax.set_url('https://evil.example/')", NA),
    ("plt.xlabel('x', fontproperties='MARKER')", NA),
    ("plt.title('x', fontfamily='MARKER')", NA),
    ("plt.plot([1, 2], fname='MARKER')", NA),
    ("plt.plot('x', 'y', data={'x': [1], 'y': [2]})", NA),
]

GLOBAL_STATE: list[tuple[str, str]] = [
    ("plt.rcParams['text.usetex'] = True", NA),
    ("import matplotlib\nmatplotlib.rcParams['svg.fonttype'] = 'none'", NA),
    ("plt.rc('text', usetex=True)", NA),
    ("plt.title('x', usetex=True)", NA),
    ("plt.style.use('MARKER')", NA),
    ("import matplotlib\nmatplotlib.use('TkAgg')", NA),
    ("plt.switch_backend('TkAgg')", NA),
    ("plt.ion()", NA),
    ("plt.figure(dpi=100000)", NA),
    ("plt.figure(3)", NA),
    ("import seaborn as sns\nsns.load_dataset('iris')", NA),
    ("import seaborn as sns\nsns.set(style='darkgrid', rc={'svg.fonttype': 'none'})", NA),
    ("import matplotlib.pyplot as plt\nplt.matplotlib", NA),
]

CALLBACKS_AND_GUI: list[tuple[str, str]] = [
    ("fig = plt.figure()\nfig.canvas.mpl_connect('draw_event', print)", NA),
    ("plt.plot([1, 2], picker=True)", NA),
    ("plt.plot([1, 2], transform=None)", NA),
    ("from matplotlib.animation import FuncAnimation", NA),
    ("import matplotlib.widgets", NA),
    ("plt.pause(10)", NA),
    ("plt.ginput(1)", NA),
    ("plt.show(block=True)", NA),
    ("fig, ax = plt.subplots()\nax.callbacks", NA),
    ("plt.gcf().__class__", NA),
    ("fig, axes = plt.subplots(2)\naxes.array", NA),
    ("plt.plot(print)", RUN),
    ("plt.title(print)", RUN),
    ("fig, ax = plt.subplots()\nax.plot([1], [1], label=fig)", RUN),
    ("line = plt.plot([1, 2])\nline[0].set_data([1], [2])", NA),
]

SIZES: list[tuple[str, str]] = [
    ("for i in range(9):\n    plt.figure()", LIM),
    ("plt.plot(torch.zeros(100001))", LIM),
    ("plt.imshow(torch.zeros(400, 400))", LIM),
    ("for i in range(2001):\n    plt.axhline(i)", LIM),
    ("plt.bar(list(range(2001)), 1)", LIM),
    ("plt.scatter(torch.zeros(20001), torch.zeros(20001))", LIM),
    ("plt.hist(torch.rand(10), bins=10**6)", LIM),
    ("plt.hist(torch.rand(10), bins=torch.linspace(0, 1, 5000))", LIM),
    ("plt.hist(torch.rand(10), bins='auto')", RUN),
    ("plt.figure(figsize=(1e6, 1e6))", LIM),
    ("plt.subplots(100, 100)", LIM),
    ("fig = plt.figure()\nfor i in range(26):\n    fig.add_subplot(5, 6, i + 1)", LIM),
    ("plt.plot([1, 2], linewidth=1e9)", LIM),
    ("plt.plot([1, 2], 'o', markersize=1e9)", LIM),
    ("plt.scatter([1], [1], s=1e12)", LIM),
    ("plt.scatter([1, 2], [1, 2], s=[1, 1e12])", LIM),
    ("plt.title('x', fontsize=1e9)", LIM),
    ("plt.plot([1, 2], linestyle=(0, (1e-9, 1e-9)))", RUN),
]

TEXT: list[tuple[str, str]] = [
    ("plt.title('A' * 1001)", LIM),
    ("for i in range(21):\n    plt.xlabel('A' * 1000)", LIM),
    ("plt.legend(['A' * 2000])", LIM),
    ("plt.bar(['A' * 5000], [1])", LIM),
    ("plt.title('$' + 'x' * 400 + '$')", LIM),
    ("plt.title('$' + '{' * 60 + 'a' + '}' * 60 + '$')", LIM),
    ("plt.title('$' + '\\\\left(' * 20 + 'a' + '\\\\right)' * 20 + '$')", LIM),
    ("plt.title('$a\\\\hspace{99999}b$')", LIM),
    ("plt.plot([1, 2], marker='$' + 'x' * 400 + '$')", LIM),
    ("plt.title('$\\\\foo$')", RUN),
    ("plt.xlabel('$\\\\frac{a}$')", RUN),
    # Axes.set: only the setters of its table, each bounded as when called alone.
    ("fig, ax = plt.subplots()\nax.set(title='A' * 1001)", LIM),
    ("fig, ax = plt.subplots()\nax.set(url='http://evil.example')", NA),
    ("fig, ax = plt.subplots()\nax.set(gid='x')", NA),
    ("fig, ax = plt.subplots()\nax.set(xscale='function')", RUN),
    ("fig, ax = plt.subplots()\nax.set('title')", RUN),
]

ATTACKS: list[tuple[str, str]] = FILES_AND_LINKS + GLOBAL_STATE + CALLBACKS_AND_GUI + SIZES + TEXT

# Refused by the figure calls themselves, once they see the values.
RUNTIME_REFUSALS = {"plt.figure(3)"}
