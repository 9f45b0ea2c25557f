package tfconfig

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// Kind says whether, and how, the configuration sets an attribute.
type Kind string

// The kinds of Value. Only literals are judged: an expression is reported as
// "set by an expression: not judged", and nothing is ever evaluated beyond
// constant folding (no variables, no functions).
const (
	// Unset: the attribute is absent, or set to null (which Terraform
	// treats as absent, so the environment variable applies).
	Unset Kind = ""
	// Literal: a constant value.
	Literal Kind = "literal"
	// Expression: anything that needs variables, locals or functions.
	Expression Kind = "expression"
)

// Value is one attribute as the configuration writes it.
type Value struct {
	Kind Kind
	// Text is the literal's value as Terraform converts it to a string
	// ("true", "/mnt/workspace/spacelift.oidc"), or the expression's source
	// cut to 80 bytes. It is empty for a sensitive attribute (a token, a
	// secret, a key): those are never kept.
	Text string
	// List holds a literal list's string elements (auxiliary_tenant_ids).
	List []string
	// Pos is where it is written: "main.tf:12", or "TF_CLI_ARGS_init".
	Pos string
}

// IsSet reports whether the attribute is written (as a literal or an expression).
func (v Value) IsSet() bool { return v.Kind != Unset }

// Bool reads a literal as Terraform converts it to a bool: true, false, or
// the strings "true" and "false" (and strconv.ParseBool's other spellings,
// as the SDK's string-to-bool conversion accepts them). ok is false for an
// unset value, an expression or anything else.
func (v Value) Bool() (b, ok bool) {
	if v.Kind != Literal {
		return false, false
	}
	b, err := strconv.ParseBool(v.Text)
	return b, err == nil
}

// Describe renders the value for a fact: the literal, quoted when it is a
// string; "set by an expression (var.x): not judged"; "(not set)".
func (v Value) Describe() string {
	switch v.Kind {
	case Literal:
		if v.Text == "" && v.List == nil {
			return "set (value not shown)"
		}
		if v.List != nil {
			return "[" + strings.Join(v.List, ", ") + "]"
		}
		return v.Text
	case Expression:
		if v.Text == "" {
			return "set by an expression: not judged"
		}
		return "set by an expression (" + v.Text + "): not judged"
	}
	return "(not set)"
}

// sensitive lists attributes whose literal values are never kept: tokens,
// secrets, keys and passwords. Their kind and position are kept.
var sensitive = map[string]bool{
	"oidc_token": true, "oidc_request_token": true, "client_secret": true,
	"client_certificate": true, "client_certificate_password": true,
	"access_key": true, "sas_token": true,
}

// maxExprText bounds the source text kept for an expression.
const maxExprText = 80

// noScope is an evaluation context with no variables and no functions:
// constants fold, anything else fails with a diagnostic (never a panic). It
// must not be nil: the JSON syntax reads strings verbatim, templates
// unparsed, under a nil context.
var noScope = &hcl.EvalContext{}

// valueOf turns one attribute into a Value without evaluating anything
// that needs a scope.
func valueOf(name string, attr *hcl.Attribute, src []byte, file string) Value {
	out := Value{Pos: fmt.Sprintf("%s:%d", file, attr.Range.Start.Line)}
	v, diags := attr.Expr.Value(noScope)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		out.Kind = Expression
		if !sensitive[name] {
			out.Text = exprText(attr.Expr.Range(), src)
		}
		return out
	}
	if v.IsNull() {
		return Value{}
	}
	out.Kind = Literal
	if sensitive[name] {
		return out
	}
	out.Text, out.List = literalText(v)
	// A literal shaped like a token (a JWT pasted where a path belongs) is
	// masked here, so no later step can print it.
	out.Text = redact.String(out.Text)
	return out
}

// literalText is a known, non-null value as a string (or a list of strings).
func literalText(v cty.Value) (string, []string) {
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString(), nil
	case t == cty.Bool:
		return strconv.FormatBool(v.True()), nil
	case t == cty.Number:
		return v.AsBigFloat().Text('f', -1), nil
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		list := []string{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if !e.IsKnown() || e.IsNull() {
				continue
			}
			s, _ := literalText(e)
			list = append(list, s)
		}
		return "", list
	}
	return "(" + t.FriendlyName() + ")", nil
}

// exprText is the expression's source, on one line, cut to maxExprText
// bytes, with anything shaped like a token masked.
func exprText(r hcl.Range, src []byte) string {
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte >= r.End.Byte {
		return ""
	}
	s := strings.Join(strings.Fields(string(src[r.Start.Byte:r.End.Byte])), " ")
	if !utf8.ValidString(s) {
		return ""
	}
	return redact.String(diag.Truncate(s, maxExprText))
}
