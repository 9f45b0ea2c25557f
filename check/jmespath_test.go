package check_test

// A JMESPath evaluator for the --query expressions the doctor prints, so
// that the fake az (azcli_test.go) answers them as az does
// (https://jmespath.org/specification.html): field paths, raw string
// literals, filters with ==, !=, &&, || and !, projections, multi-select
// lists and hashes, an index, pipes, and contains, starts_with and
// ends_with. Anything else is an error, so a fix that prints more than
// this cannot pass unnoticed.

import (
	"fmt"
	"strings"
)

type jmesParser struct {
	s   string
	pos int
}

// jmesSearch evaluates expr against data (maps, slices, strings, bools, nil).
func jmesSearch(expr string, data any) (any, error) {
	p := &jmesParser{s: expr}
	f, err := p.pipe()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, fmt.Errorf("jmespath: unexpected %q at %d in %s", p.s[p.pos:], p.pos, expr)
	}
	return f(data), nil
}

// evaluator is a compiled expression; a projection's result is a []any
// marked by projected.
type evaluator func(any) any

type projected []any

func (p *jmesParser) space() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *jmesParser) eat(tok string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *jmesParser) pipe() (evaluator, error) {
	left, err := p.chain()
	if err != nil {
		return nil, err
	}
	for p.peekPipe() {
		p.eat("|")
		right, err := p.chain()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(v any) any { return right(plain(l(v))) }
	}
	return left, nil
}

func (p *jmesParser) peekPipe() bool {
	p.space()
	return strings.HasPrefix(p.s[p.pos:], "|") && !strings.HasPrefix(p.s[p.pos:], "||")
}

// plain ends a projection.
func plain(v any) any {
	if pv, ok := v.(projected); ok {
		return []any(pv)
	}
	return v
}

// chain is a primary expression followed by .field, .[..], .{..}, [?..] and [n].
func (p *jmesParser) chain() (evaluator, error) {
	cur, err := p.step(true)
	if err != nil {
		return nil, err
	}
	for {
		p.space()
		if p.pos >= len(p.s) || (p.s[p.pos] != '.' && p.s[p.pos] != '[') {
			return cur, nil
		}
		p.eat(".")
		next, err := p.step(false)
		if err != nil {
			return nil, err
		}
		prev := cur
		cur = func(v any) any {
			in := prev(v)
			if pv, ok := in.(projected); ok {
				var out projected
				for _, x := range pv {
					if y := plain(next(x)); y != nil {
						out = append(out, y)
					}
				}
				return out
			}
			return next(in)
		}
	}
}

// step is one element of a chain.
func (p *jmesParser) step(first bool) (evaluator, error) {
	p.space()
	switch {
	case p.eat("[?"):
		cond, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.eat("]") {
			return nil, fmt.Errorf("jmespath: unclosed filter at %d", p.pos)
		}
		return func(v any) any {
			list, _ := plain(v).([]any)
			out := projected{}
			for _, x := range list {
				if truthy(cond(x)) {
					out = append(out, x)
				}
			}
			return out
		}, nil
	case p.eat("[]"):
		return func(v any) any { l, _ := plain(v).([]any); return projected(l) }, nil
	case p.eat("["):
		p.space()
		if p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			n := 0
			for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
				n = n*10 + int(p.s[p.pos]-'0')
				p.pos++
			}
			if !p.eat("]") {
				return nil, fmt.Errorf("jmespath: unclosed index")
			}
			return func(v any) any {
				if l, ok := plain(v).([]any); ok && n < len(l) {
					return l[n]
				}
				return nil
			}, nil
		}
		return p.multiList()
	case p.eat("{"):
		return p.multiHash()
	}
	return p.identifier()
}

func (p *jmesParser) multiList() (evaluator, error) {
	var items []evaluator
	for {
		f, err := p.pipe()
		if err != nil {
			return nil, err
		}
		items = append(items, f)
		if p.eat("]") {
			break
		}
		if !p.eat(",") {
			return nil, fmt.Errorf("jmespath: want , or ] at %d", p.pos)
		}
	}
	return func(v any) any {
		if v == nil {
			return nil
		}
		out := make([]any, len(items))
		for i, f := range items {
			out[i] = plain(f(v))
		}
		return out
	}, nil
}

func (p *jmesParser) multiHash() (evaluator, error) {
	var keys []string
	var items []evaluator
	for {
		k, err := p.name()
		if err != nil {
			return nil, err
		}
		if !p.eat(":") {
			return nil, fmt.Errorf("jmespath: want : at %d", p.pos)
		}
		f, err := p.pipe()
		if err != nil {
			return nil, err
		}
		keys, items = append(keys, k), append(items, f)
		if p.eat("}") {
			break
		}
		if !p.eat(",") {
			return nil, fmt.Errorf("jmespath: want , or } at %d", p.pos)
		}
	}
	return func(v any) any {
		if v == nil {
			return nil
		}
		out := map[string]any{}
		for i, f := range items {
			out[keys[i]] = plain(f(v))
		}
		return out
	}, nil
}

func (p *jmesParser) name() (string, error) {
	p.space()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && p.pos > start) {
			break
		}
		p.pos++
	}
	if p.pos == start {
		return "", fmt.Errorf("jmespath: want a name at %d in %s", start, p.s)
	}
	return p.s[start:p.pos], nil
}

func (p *jmesParser) identifier() (evaluator, error) {
	n, err := p.name()
	if err != nil {
		return nil, err
	}
	return func(v any) any {
		if m, ok := v.(map[string]any); ok {
			return m[n]
		}
		return nil
	}, nil
}

func (p *jmesParser) or() (evaluator, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.eat("||") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(v any) any { return truthy(l(v)) || truthy(right(v)) }
	}
	return left, nil
}

func (p *jmesParser) and() (evaluator, error) {
	left, err := p.compare()
	if err != nil {
		return nil, err
	}
	for p.eat("&&") {
		right, err := p.compare()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(v any) any { return truthy(l(v)) && truthy(right(v)) }
	}
	return left, nil
}

func (p *jmesParser) compare() (evaluator, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	for _, op := range []string{"==", "!="} {
		if p.eat(op) {
			right, err := p.operand()
			if err != nil {
				return nil, err
			}
			eq := op == "=="
			return func(v any) any { return (fmt.Sprint(left(v)) == fmt.Sprint(right(v))) == eq }, nil
		}
	}
	return left, nil
}

func (p *jmesParser) operand() (evaluator, error) {
	p.space()
	switch {
	case p.eat("!"):
		f, err := p.operand()
		if err != nil {
			return nil, err
		}
		return func(v any) any { return !truthy(f(v)) }, nil
	case p.eat("("):
		f, err := p.or()
		if err != nil || !p.eat(")") {
			return nil, fmt.Errorf("jmespath: unclosed ( at %d (%v)", p.pos, err)
		}
		return f, nil
	case p.pos < len(p.s) && p.s[p.pos] == '\'':
		return p.rawString()
	}
	save := p.pos
	n, err := p.name()
	if err != nil {
		return nil, err
	}
	if p.eat("(") {
		return p.function(n)
	}
	p.pos = save
	return p.chain()
}

func (p *jmesParser) rawString() (evaluator, error) {
	p.pos++ // the opening quote
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '\\' && p.pos+1 < len(p.s) && (p.s[p.pos+1] == '\'' || p.s[p.pos+1] == '\\'):
			b.WriteByte(p.s[p.pos+1])
			p.pos += 2
		case c == '\'':
			p.pos++
			lit := b.String()
			return func(any) any { return lit }, nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return nil, fmt.Errorf("jmespath: unterminated string in %s", p.s)
}

func (p *jmesParser) function(name string) (evaluator, error) {
	var args []evaluator
	for {
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		args = append(args, f)
		if p.eat(")") {
			break
		}
		if !p.eat(",") {
			return nil, fmt.Errorf("jmespath: want , or ) in %s()", name)
		}
	}
	test, ok := map[string]func(a, b string) bool{"contains": strings.Contains, "starts_with": strings.HasPrefix, "ends_with": strings.HasSuffix}[name]
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("jmespath: function %s/%d is not supported here", name, len(args))
	}
	return func(v any) any {
		a, b := args[0](v), args[1](v)
		if l, ok := a.([]any); ok && name == "contains" {
			for _, x := range l {
				if x == b {
					return true
				}
			}
			return false
		}
		as, ok1 := a.(string)
		bs, ok2 := b.(string)
		return ok1 && ok2 && test(as, bs)
	}, nil
}

// truthy is JMESPath's truth: false, null, "" and empty lists and objects are false.
func truthy(v any) bool {
	switch x := plain(v).(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}
