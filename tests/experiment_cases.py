"""The experiments beyond the paper that the home-view and agreement tests share (SPEC, "Beyond the paper")."""
from viz.problem.experiment import Experiment

EXPERIMENTS = {
    "momentum": Experiment("momentum"),
    "nesterov": Experiment("nesterov"),
    "adam": Experiment("adam"),
    "adamw": Experiment("adamw", fixed=(("weight-decay", 0.01),)),
    "weight-decay": Experiment("gd", fixed=(("weight-decay", 0.01),)),
    "init-scale": Experiment("gd", "lr", "init-scale"),
}
