package ops

import "context"

// Checker checks one dependency for the readiness endpoint.
type Checker interface {
	// Name is the dependency's name in /readyz and in metrics ("eventstore", "postgres", …).
	Name() string
	// Check returns nil when the dependency answers. It must respect ctx's deadline.
	Check(ctx context.Context) error
	// Required reports whether posd cannot serve without the dependency: a required one down
	// makes /readyz answer 503; an optional one down only makes it "degraded".
	Required() bool
}

// CheckFunc adapts a function to a Checker.
type CheckFunc struct {
	// DependencyName is returned by Name.
	DependencyName string
	// IsRequired is returned by Required.
	IsRequired bool
	// Func is called by Check.
	Func func(ctx context.Context) error
}

// NewCheck returns a Checker named name that calls check.
func NewCheck(name string, required bool, check func(ctx context.Context) error) CheckFunc {
	return CheckFunc{DependencyName: name, IsRequired: required, Func: check}
}

// Name implements Checker.
func (c CheckFunc) Name() string { return c.DependencyName }

// Required implements Checker.
func (c CheckFunc) Required() bool { return c.IsRequired }

// Check implements Checker.
func (c CheckFunc) Check(ctx context.Context) error { return c.Func(ctx) }
