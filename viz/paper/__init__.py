"""The paper's artefacts: stills at its own pixel centres, Figure 1, the box-counting dimension."""
