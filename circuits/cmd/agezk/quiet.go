package main

import "github.com/consensys/gnark/logger"

// gnark logs every compile and proof; the CLI's output is its own.
func init() { logger.Disable() }
