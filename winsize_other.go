//go:build !unix

package main

import "os"

// winsize is 0 where the terminal's size is not read: $COLUMNS decides.
func winsize(*os.File) int { return 0 }
