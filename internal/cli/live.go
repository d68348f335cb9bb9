package cli

import (
	"context"
	"errors"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/spf13/cobra"
)

// liveFlags are the settings of a live collection (filled in by the
// collect command's flags).
type liveFlags struct{}

func (f *liveFlags) register(cmd *cobra.Command) {}

func (f *liveFlags) collect(ctx context.Context, s streams) (*inventory.Snapshot, error) {
	return nil, errors.New("no input given: use --input DIR (an AWS CLI export) or --snapshot FILE")
}
