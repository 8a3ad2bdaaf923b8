"""The label and output name shown beside an explanation of one output (the task or class
explained), as the CLI and the Interpret page title it."""

from __future__ import annotations

import numpy as np
from conftest import save_untrained_run

from genoviz.interpret.outcome import explained_label, output_name, target_label
from genoviz.runs import load_run


def test_target_label_reads_the_explained_tasks_column():
    assert target_label(np.array([1.0, 0.0, 0.0, 1.0]), 2) == 0.0  # not task 0's 1.0
    assert target_label(np.array([1.0, 0.0, 0.0, 1.0]), 3) == 1.0
    assert target_label(np.array([1.0, 0.0]), 5) is None  # no such task in this label
    assert target_label(np.float32(0.75), 0) == 0.75 and target_label(np.array([2]), 1) == 2.0
    assert target_label(None, 0) is None


def test_multi_task_and_multiclass_runs_name_the_explained_output(tmp_path):
    build = {"seq_len": 20, "outputs": 3, "extras": 0}
    tasks = {"name": "t", "task": "multitask-binary", "class_names": ["JUND", "CTCF", "GATA1"]}
    mt = load_run(save_untrained_run(tmp_path / "mt", "linear", build, tasks))
    assert output_name(mt, 2) == "GATA1" and output_name(mt, 3) is None
    assert explained_label(mt, np.array([1.0, 0.0, 0.0]), 2) == 0.0
    classes = {"name": "s", "task": "multiclass", "class_names": ["neither", "donor", "acceptor"]}
    mc = load_run(save_untrained_run(tmp_path / "mc", "linear", build, classes))
    assert output_name(mc, 1) == "donor"
    assert explained_label(mc, np.int64(2), 1) == "acceptor"  # the class, whichever explained
    binary = load_run(save_untrained_run(tmp_path / "b", "linear", build | {"outputs": 1}))
    assert output_name(binary, 0) is None and explained_label(binary, np.array([1.0]), 0) == 1.0
