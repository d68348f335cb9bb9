package cli

import (
	"context"
	"errors"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/spf13/cobra"
)

const canLong = `Can answers whether a principal may perform an action on a resource, with the
decision and the statements that made it.

PRINCIPAL is an ARN (user, role, assumed-role session, root), an account ID
(its root user), or a user or role name that is unique in the inventory.
ACTION is a KMS action (kms:Decrypt) or an S3 object operation (s3:PutObject,
s3:GetObject, s3:CopyObject with --source, s3:MultipartUpload,
s3:CreateMultipartUpload, s3:UploadPart). RESOURCE is a key (ARN, ID, alias
name or alias ARN) or, for S3, an object ARN (arn:aws:s3:::BUCKET/KEY).

For S3 with SSE-KMS both sides are evaluated: the S3 permission (identity
and bucket policy) and each KMS call S3 makes with the caller's identity on
the bucket's default key (kms:ViaService = s3.REGION.amazonaws.com, the
object's encryption context). The answer names the side that denies.

What the request would carry beyond the principal and the key (source IP,
kms:ViaService for a direct call, encryption context...) is unknown unless
given with --context; an answer that depends on it is conditional and lists
the conditions. --closed treats keys not given as absent instead.

Exit status: 0 when allowed (conditionally or not), 1 when denied or
unknown, 2 on bad input or usage.`

type canOptions struct {
	streams
	account accountFlags
	Context []string
	Source  string
	Closed  bool
	Format  string
	Lang    string
	args    []string
}

func newCanCmd(s streams) *cobra.Command {
	opts := &canOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "can PRINCIPAL ACTION RESOURCE",
		Short: "Decide whether a principal may perform an action on a key or S3 object",
		Long:  canLong,
		Example: `  keywarden can dev-sample-ec2-role1 s3:PutObject arn:aws:s3:::sample-dev-blog-bucket/report.csv --input examples/account/setting2
  keywarden can arn:aws:iam::123456789012:role/app kms:Decrypt alias/app-data --context kms:ViaService=s3.ap-northeast-1.amazonaws.com --snapshot snap.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 3 {
				return &UsageError{Command: cmd.CommandPath(), Err: errors.New("can needs PRINCIPAL ACTION RESOURCE")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.args = args
			return runCan(cmd.Context(), cmd.CommandPath(), opts)
		},
	}
	opts.account.register(cmd)
	cmd.Flags().StringArrayVar(&opts.Context, "context", nil, "request context key=value (repeatable; key=[a,b] for a list)")
	cmd.Flags().StringVar(&opts.Source, "source", "", "source object ARN of s3:CopyObject")
	cmd.Flags().BoolVar(&opts.Closed, "closed", false, "treat context keys not given as absent rather than unknown")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&opts.Lang, "lang", "en", "language of the text output: en or ja (JSON is the same in both)")
	return cmd
}

func runCan(ctx context.Context, cmdPath string, opts *canOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return &UsageError{Command: cmdPath, Err: errors.New("--format must be text or json")}
	}
	lang, err := checks.ParseLang(opts.Lang)
	if err != nil {
		return &UsageError{Command: cmdPath, Err: err}
	}
	given, err := parseContext(opts.Context)
	if err != nil {
		return &UsageError{Command: cmdPath, Err: err}
	}
	ix, _, err := opts.account.index(ctx, opts.streams, cmdPath)
	if err != nil {
		return err
	}
	ans, err := ix.Can(access.Question{Principal: opts.args[0], Action: opts.args[1], Resource: opts.args[2], Source: opts.Source, Context: given, Closed: opts.Closed})
	if err != nil {
		return &InputError{Err: err}
	}
	if opts.Format == "json" {
		err = report.WriteAnswerJSON(opts.Out, ans)
	} else {
		err = report.WriteCanText(opts.Out, ans, lang)
	}
	if err != nil {
		return err
	}
	if ans.Decision != engine.Allow {
		return &failedError{failed: 1}
	}
	return nil
}
