"""The experiment's description refuses what SPEC does not define, in one line each."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from viz.errors import UsageError
from viz.problem.experiment import HYPERPARAMETERS, OPTIMISERS, Experiment


@pytest.mark.parametrize("experiment, init, fragment", [
    (Experiment("sgd"), False, "unknown optimizer 'sgd'; choose one of gd, momentum, nesterov, adam, adamw"),
    (Experiment(x="beta3"), False, "unknown hyperparameter 'beta3'; choose one of lr0, lr1, lr"),
    (Experiment("momentum", fixed=(("beta2", 0.99),)), False, "the momentum optimizer has no beta2"),
    (Experiment(x="lr1", y="lr1"), False, "an axis is named twice"),
    (Experiment(fixed=(("lr0", 2.0),)), False, "lr0 is an axis and also given a fixed value"),
    (Experiment("momentum", fixed=(("momentum", 1.0),)), False, "--momentum must be a number below 1"),
    (Experiment("adam", fixed=(("eps", 0.0),)), False, "--eps must be a positive finite number"),
    (Experiment(fixed=(("weight-decay", -1.0),)), False, "--weight-decay must be zero or a positive finite number"),
    (Experiment(x="offset", y="lr"), False, "use --condition init"),
    (Experiment(x="lr", y="momentum"), False, "the gd optimizer has no momentum"),
    (Experiment(x="lr", y="init-scale", fixed=(("lr1", 1.0),)), False, "give lr, or lr0 and lr1, not both"),
])
def test_a_bad_experiment_is_one_line(experiment, init, fragment):
    with pytest.raises(UsageError) as raised:
        experiment.validate(init)
    assert fragment in str(raised.value) and "\n" not in str(raised.value)


def test_the_paper_axes_follow_the_condition():
    assert Experiment().axes(False) == ("lr0", "lr1")
    assert Experiment().axes(True) == ("offset", "lr")
    assert Experiment().validate(True).values([0.5], [2.0], True)["lr0"][0] == 2.0


@given(name=st.sampled_from(sorted(HYPERPARAMETERS)), c=st.floats(-12, 0))
def test_a_coordinate_and_its_value_round_trip(name, c):
    h = HYPERPARAMETERS[name]
    assert h.coordinate(float(h.value(c))) == pytest.approx(c, abs=1e-3 if h.one_minus else 1e-12)


def test_every_optimizer_validates_with_its_own_hyperparameters_fixed():
    for name, own in OPTIMISERS.items():
        fixed = tuple((h, HYPERPARAMETERS[h].default) for h in own)
        assert Experiment(name, fixed=fixed).validate().optimizer == name


def test_a_problem_with_an_experiment_keeps_it_through_its_metadata_and_the_paper_writes_none():
    from viz.problem.spec import ProblemSpec

    adam = ProblemSpec("tanh", 8, 100, experiment=Experiment("adam", "lr0", "beta2", (("lr1", 1.0),))).validate()
    assert ProblemSpec.of(adam.as_metadata()) == adam
    assert "experiment" not in ProblemSpec().as_metadata()
    assert ProblemSpec.of(ProblemSpec().as_metadata()) == ProblemSpec()
    assert adam.label == "tanh n=8 T=100 adam lr0 x beta2 lr1=1"


@pytest.mark.parametrize("record", [[1, 2], {"fixed": [1]}, {"fixed": {"lr1": "fast"}}])
def test_a_broken_experiment_record_in_a_file_is_one_line(record):
    with pytest.raises(UsageError) as raised:
        Experiment.of(record)
    assert "experiment" in str(raised.value)


@pytest.mark.parametrize("argv, fragment", [
    (["--optimizer", "sgd"], "unknown optimizer 'sgd'"),
    (["--optimizer", "momentum", "--beta2", "0.9"], "the momentum optimizer has no beta2"),
    (["--x", "lr1"], "an axis is named twice"),
    (["--lr0", "3"], "lr0 is an axis and also given a fixed value"),
    (["--optimizer", "momentum", "--y", "momentum", "--momentum", "0.5"], "momentum is an axis and also given"),
    (["--optimizer", "adam", "--beta1", "1"], "--beta1 must be a number below 1"),
])
def test_render_refuses_a_bad_experiment_in_one_line_before_any_work(argv, fragment, tmp_path, capsys, monkeypatch):
    import viz.cli.app

    monkeypatch.chdir(tmp_path)
    assert viz.cli.app.main(["render", "--preset", "quick", "--res", "8", "--out", "x.npy", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_an_adam_png_reopens_in_the_explorer_as_that_adam_view(tmp_path, monkeypatch):
    """render writes the experiment into the PNG's text; the explorer's settings read it back whole."""
    import viz.cli.app
    from viz.explore.settings import ExploreRequest, settings_for

    monkeypatch.chdir(tmp_path)
    argv = ["render", "--preset", "quick", "--res", "8", "--optimizer", "adam", "--beta2", "0.99", "--quiet",
            "--arch", "cpu", "--out", "adam.png"]
    assert viz.cli.app.main(argv) == 0
    settings = settings_for(ExploreRequest(png="adam.png", arch="cpu", size=(64, 64)))
    assert settings.problem.experiment == Experiment("adam", fixed=(("beta2", 0.99),))
    assert settings.start.region.floats == (-1.0, 3.0, 0.0, 4.0)  # adam's home window, render's default for it


def test_a_bookmark_keeps_its_experiment(tmp_path):
    from viz.explore.bookmarks import SavedView, find_bookmark, save_bookmark
    from viz.problem.spec import ProblemSpec
    from viz.sampling.view import View

    problem = ProblemSpec("tanh", 8, 100, experiment=Experiment("momentum", "lr0", "momentum", (("lr1", 10.0),)))
    path = tmp_path / "marks.toml"
    save_bookmark(path, "mu", SavedView.of(View.fit(-3.0, 3.0, -4.0, 0.0, 32, 32), problem))
    assert find_bookmark(path, "mu").problem == problem
