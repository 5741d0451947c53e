"""Pure early-warning rules: surge detectors mirroring R `surveillance`."""
