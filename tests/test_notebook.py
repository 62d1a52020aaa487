"""The example notebook (reports/examples/revise_a_proof.ipynb) runs green.

It executes with nbclient in a fresh kernel (extra ``[notebook]``: nbclient, nbformat, ipykernel;
skipped when they are missing), from the project root so that the kernel imports this
checkout. Every cell asserts what it shows (a lowered constant refuted, the tight constant
found, the user's claim holding and its mutant refuted, the report of just those claims)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "reports" / "examples" / "revise_a_proof.ipynb"


def test_notebook_is_clean():
    """Committed without outputs, so diffs stay readable and nothing stale is shown."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


def test_notebook_runs(tmp_path):
    import montecarlo

    if not hasattr(montecarlo, "tightness"):
        pytest.skip("the notebook uses montecarlo.tightness and user namespaces")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on a failure
    shown = "".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("text", ""))
                    for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "REFUTED" in shown and "my_notes.gauss_tail" in shown
