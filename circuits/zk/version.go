package zk

import (
	"errors"
	"fmt"

	"agegate.dev/circuits/agecircuit"
)

// CircuitVersion is the version of the circuit this build proves and verifies, carried
// in the request object's agegate claim (circuit_version), the proof file and the
// circuit id. Version 1 is withdrawn: its signature check accepted a forgery
// (docs/security.md).
const CircuitVersion = agecircuit.Version

// ErrCircuitVersion is returned for material of another circuit version.
var ErrCircuitVersion = errors.New("circuit version mismatch")

// CheckCircuitVersion refuses a request or file made for another circuit version,
// with a reason a person can act on.
func CheckCircuitVersion(v int) error {
	switch {
	case v == CircuitVersion:
		return nil
	case v == 0 || v == 1:
		return fmt.Errorf("%w: made for agegate circuit v1, which is withdrawn (a forgery was found); this build proves and verifies only v%d, so the gateway must be upgraded", ErrCircuitVersion, CircuitVersion)
	default:
		return fmt.Errorf("%w: made for agegate circuit v%d, this build proves and verifies v%d; update this side", ErrCircuitVersion, v, CircuitVersion)
	}
}
