package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// interrupted is the cause of a run cancelled by a signal.
type interrupted struct{ sig os.Signal }

func (i interrupted) Error() string { return i.sig.String() + " received" }

// Unwrap makes a request the signal cut short read as cancelled
// (context.Canceled), which is what it is: net/http reports the cause.
func (i interrupted) Unwrap() error { return context.Canceled }

// notifyInterrupt returns a context that the first SIGINT or SIGTERM
// cancels, with an interrupted cause: the run stops its requests, renders
// what it found and cleans up. The signals' default action is then
// restored, so a second one ends the process at once.
func notifyInterrupt(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			cancel(interrupted{s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel(nil) }
}

// interruptExit is code, or 130 (SIGINT) or 143 (SIGTERM) when a signal
// cancelled ctx. Only 1, the doctor itself failing, and 2, a usage error
// found before anything ran, take precedence.
func interruptExit(ctx context.Context, code int) int {
	var in interrupted
	if code == exitBroken || code == exitUsage || !errors.As(context.Cause(ctx), &in) {
		return code
	}
	if in.sig == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}
