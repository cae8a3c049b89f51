"""Programs that plot: the service's figures against real matplotlib's.

Each program runs twice: in the service's interpreter (app.evaluate) and
with Python's own exec and the real matplotlib.pyplot
(tests/evaluate/pyplot_reference.py). What they print, and what each
figure shows (data, labels, limits, scales, legends, bars, images) must be
the same.
"""

from __future__ import annotations

import matplotlib
import pytest

from app.errors import UserRuntimeError
from app.evaluate import run_source
from tests.evaluate.pyplot_reference import describe, reference

OBJECTIVE = """import torch
import matplotlib.pyplot as plt

def objective(theta):
    return theta*torch.cos(4*theta) + 2*torch.abs(theta)

theta = torch.linspace(-5, 5, 100)
y = objective(theta)
"""

PROGRAMS = {
    # The notebook's cell 12, with tensors where it has NumPy arrays.
    "cell12-tensors": OBJECTIVE
    + """theta_true = float(theta[torch.argmin(y)])
plt.figure(figsize=(12,4))
plt.plot(theta, y)
plt.plot([theta_true, theta_true], plt.ylim())
print(theta_true)
""",
    # The notebook's cell 13, with lists of tensors where it has NumPy arrays.
    "cell13-tensors": OBJECTIVE
    + """theta_true = float(theta[torch.argmin(y)])

def gradient_descent(objective, step_size=0.05, max_iter=100, init=0.0):
    theta_hat = torch.tensor(init, requires_grad=True)
    theta_hat_arr = [theta_hat.detach().clone()]
    obj_arr = [objective(theta_hat).detach()]
    for i in range(max_iter):
        if theta_hat.grad is not None:
            theta_hat.grad.zero_()
        out = objective(theta_hat)
        out.backward()
        with torch.no_grad():
            theta_hat -= step_size * theta_hat.grad
        theta_hat_arr.append(theta_hat.detach().clone())
        obj_arr.append(objective(theta_hat).detach())
    return torch.stack(theta_hat_arr), torch.stack(obj_arr)

def visualize_results(theta_arr, obj_arr, objective, theta_true=None, vis_arr=None):
    if vis_arr is None:
        vis_arr = torch.linspace(float(theta_arr.min()), float(theta_arr.max()), 50)
    fig = plt.figure(figsize=(12,4))
    plt.plot(vis_arr, [objective(t) for t in vis_arr])
    plt.plot(theta_arr, obj_arr, 'o-', label='Gradient steps')
    if theta_true is not None:
        plt.plot(torch.ones(2)*theta_true, plt.ylim(), label='True theta')
    plt.plot(torch.ones(2)*theta_arr[-1], plt.ylim(), label='Final theta')
    plt.legend()

theta_hat_arr, obj_arr = gradient_descent(objective, step_size=0.15, init=-3.5, max_iter=100)
visualize_results(theta_hat_arr, obj_arr, objective, theta_true=theta_true,
                  vis_arr=torch.linspace(-5, 5, 50))
print(theta_hat_arr[-1])
""",
    "subplots-grid": """fig, axes = plt.subplots(2, 2, figsize=(8, 6))
print(axes.shape, len(axes))
print(axes)
axes[0, 0].plot([1, 2, 3], [3, 1, 2], 'r--', linewidth=2, label='a')
axes[0, 0].legend(loc='upper left', title='Lines')
axes[0, 1].hist(torch.linspace(0, 1, 200) ** 2, bins=12, color='green', alpha=0.5)
axes[1, 0].bar(['a', 'b', 'c'], [3, 1, 2], color=['red', 'blue', 'green'])
im = axes[1, 1].imshow(torch.arange(12.0).reshape(3, 4), cmap='viridis')
fig.colorbar(im, ax=axes[1, 1], label='value')
for ax in axes.flat:
    ax.grid(True)
axes[1][0].set_title('bars', loc='left')
axes[0, 1].set_xlabel('x')
axes[0, 1].set_ylabel('count')
fig.suptitle('Four plots')
fig.tight_layout()
print(fig)
""",
    "subplots-row": """fig, (ax1, ax2) = plt.subplots(1, 2)
ax1.scatter([1, 2, 3], [4, 5, 6], s=[10, 20, 30], c=[0.1, 0.5, 0.9], cmap='plasma')
ax2.fill_between([0, 1, 2], [0, 1, 0], [1, 2, 1], alpha=0.3, color='orange')
ax2.axhline(1.5, color='k', linestyle=':')
ax2.axvline(x=1, ymin=0.2, ymax=0.8)
ax2.set_xlim(-1, 3)
ax2.set_ylim(bottom=-0.5)
print(ax2.get_xlim(), ax2.get_ylim())
fig2, ax = plt.subplots()
print(ax)
ax.plot([1, 10, 100], [1, 100, 10000])
ax.set_xscale('log')
ax.set_yscale('log')
""",
    "current-figure": """plt.figure(figsize=(4, 3))
plt.plot([1, 2])
plt.figure(figsize=(5, 3))
plt.plot([2, 1])
plt.close()
plt.plot([3, 3])
plt.title('first again')
plt.show()
plt.plot([0, 1, 0])
plt.xlabel('$\\\\theta$')
plt.ylabel('loss')
plt.title('after show')
print(plt.xlim(), plt.ylim(0, 2), plt.ylim())
plt.xlim((0.5, 1.5))
plt.legend(['up and down'])
""",
    "pyplot-calls": """x = torch.linspace(-2, 2, 41)
line = plt.plot(x, x ** 2, 'b.-', x, x ** 3, 'g', markersize=4)
print(len(line), line)
plt.plot(x, torch.stack([torch.sin(x), torch.cos(x)], 1))
plt.axhline(0, color='gray', lw=0.5)
plt.fill_between(x, x ** 2, 0.5, where=x > 0, color='red', alpha=0.2, label='area')
plt.scatter(x[::5], x[::5] ** 2, marker='x', color='black', label='points')
counts, edges, bars = plt.hist(x ** 2, bins=[0, 1, 2, 3, 4], histtype='step')
print(counts, edges)
plt.yscale('symlog')
plt.grid(True, which='both', axis='y', linestyle='--')
plt.legend(loc='best', fontsize=8, ncol=2, frameon=False)
plt.suptitle('Functions', fontsize=14)
print(plt.title('functions of x', fontsize='large', color='navy'))
plt.tight_layout()
print(plt.gcf(), plt.gca())
""",
    "subplot-calls": """plt.subplot(2, 1, 1)
plt.plot([1, 2, 3])
plt.subplot(212)
plt.plot([3, 2, 1], 'o')
plt.subplot(2, 1, 1)
plt.title('top again')
fig = plt.figure()
ax = fig.add_subplot(1, 1, 1)
ax.plot([0, 1], [1, 0], color=(0.2, 0.4, 0.6))
print(fig.gca() is ax, ax.get_xlim())
""",
    "grad-refused": """w = torch.linspace(0, 1, 5, requires_grad=True)
try:
    plt.plot(w)
except Exception as e:
    print(e)
plt.plot(w.detach())
print(plt.ylim())
""",
    # matplotlib's own first example: Axes.set with keywords.
    "axes-set": """fig, ax = plt.subplots()
t = torch.arange(0.0, 2.0, 0.01)
ax.plot(t, 1 + torch.sin(2 * torch.pi * t))
ax.set(xlabel='time (s)', ylabel='voltage (mV)', title='About as simple as it gets, folks')
ax.set(xlim=(0, 1.5), yscale='log')
ax.grid()
print(ax.get_xlim())
""",
    # plt.colorbar() of the current image, as pyplot's imshow and scatter set it;
    # an Axes' own imshow sets none, in matplotlib as here.
    "colorbar-current-image": """plt.imshow(torch.eye(3))
plt.colorbar()
plt.figure()
x = torch.linspace(0, 1, 5)
plt.scatter(x, x, c=x)
plt.colorbar(label='t')
fig, ax = plt.subplots()
ax.imshow(torch.eye(2))
try:
    plt.colorbar()
except RuntimeError as e:
    print(str(e)[:40])
""",
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_figures_are_pythons(name: str) -> None:
    source = PROGRAMS[name]
    printed, expected = reference(source)
    evaluation = run_source(source)
    assert evaluation.stdout == printed
    assert [describe(f) for f in evaluation.figures] == [describe(f) for f in expected]
    assert evaluation.figures


def test_warnings_of_matplotlib_reach_the_answer() -> None:
    evaluation = run_source("plt.plot([1, 2])\nplt.legend()")
    assert any("No artists with labels found" in w for w in evaluation.warnings)


def test_a_figure_without_axes_is_not_answered() -> None:
    evaluation = run_source("fig = plt.figure()\nprint(fig)\nplt.figure()\nplt.plot([1])")
    assert evaluation.stdout == "Figure(640x480)\n"
    assert len(evaluation.figures) == 1


def test_import_forms_mean_the_same_pyplot() -> None:
    for head in (
        "import matplotlib.pyplot as plt\n",
        "from matplotlib import pyplot as plt\n",
        "import matplotlib.pyplot\nimport matplotlib\n",
        "import seaborn as sns\nsns.set()\n",
        "",
    ):
        evaluation = run_source(head + "plt.plot([1, 2, 3])\nplt.title('t')")
        assert [describe(f) for f in evaluation.figures] == [
            describe(f) for f in reference("plt.plot([1, 2, 3])\nplt.title('t')")[1]
        ], head


def test_axes_grid_indexing_and_unpacking() -> None:
    source = """fig, axes = plt.subplots(2, 3)
row = axes[1]
print(row.shape, axes[:, 0].shape, axes[0, -1] is axes.flatten()[2], len(list(axes.ravel())))
a, b = axes
print(a.shape, b[2] is axes[1, 2])
"""
    printed, _ = reference(source)
    assert run_source(source).stdout == printed
    with pytest.raises(UserRuntimeError, match="only integers and slices"):
        run_source("fig, axes = plt.subplots(2, 2)\naxes[[0, 1]]")


def test_rcparams_are_untouched() -> None:
    before = dict(matplotlib.rcParams)
    run_source(PROGRAMS["pyplot-calls"])
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize(
    "last",
    ["plt.plot(x.detach())", "plt.legend(['a'])", "plt.gca()", "plt.subplots(2)", "plt.title('t')"],
)
def test_a_plotting_call_last_is_not_the_output(last: str) -> None:
    source = f"x = torch.ones(3, requires_grad=True)\ny = (x * 2).sum()\n{last}"
    evaluation = run_source(source)
    assert evaluation.output_name == "y" and evaluation.output.item() == 6.0
    assert evaluation.gradients["x"] is not None
