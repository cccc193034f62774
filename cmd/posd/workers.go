package main

import (
	"context"
)

// worker is a long-running part of posd (a projection runner, a policy) that runs until its
// context ends.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// projectors returns the projection workers the projector role runs. Each projection package
// contributes its runner here, built from d.
func projectors(d *deps) []worker {
	_ = d
	return nil
}
