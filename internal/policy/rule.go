package policy

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
)

// Facts is what a rule may ask about an enterprise: the typed environment
// of the rule language. Money is in 元 (rules read like the policy text:
// "1500 * placements", "insurance_paid * 0.6"); an amount rule's result is
// in 元 and is rounded to the fen.
type Facts struct {
	Scale         string            `expr:"scale"`
	AboveScale    bool              `expr:"above_scale"`
	Industry      string            `expr:"industry"`
	Division      string            `expr:"division"`
	Org           string            `expr:"org"`
	Street        string            `expr:"street"`
	Employees     int               `expr:"employees"`
	Years         int               `expr:"years"`
	InsuredStaff  int               `expr:"insured_staff"`
	InsuredMonths int               `expr:"insured_months"`
	InsurancePaid float64           `expr:"insurance_paid"`
	LayoffRate    float64           `expr:"layoff_rate"`
	Revenue       float64           `expr:"revenue"`
	RDExpense     float64           `expr:"rd_expense"`
	Placements    int               `expr:"placements"`
	Has           func(string) bool `expr:"has"`

	quals map[string]bool
}

// withQualifications sets the qualifications held on the evaluation date.
func (f *Facts) withQualifications(kinds []string) {
	f.quals = map[string]bool{}
	for _, k := range kinds {
		f.quals[k] = true
	}
	q := f.quals
	f.Has = func(k string) bool { return q[k] }
}

// FactDoc describes one fact for the rule editor.
type FactDoc struct {
	Name    string    `json:"name"`
	Type    string    `json:"type" doc:"text, number, yes/no or a function"`
	Label   i18n.Text `json:"-"`
	Meaning string    `json:"meaning"`
	Example string    `json:"example"`
}

// FactDocs lists the facts a rule may use, in the editor's order.
var FactDocs = []FactDoc{
	{Name: "has", Type: "function", Label: i18n.T("持有有效资质：high_tech 高新技术企业、tech_sme 科技型中小企业、specialized_sme 专精特新、innovative_sme 创新型中小企业",
		"holds a valid qualification: high_tech, tech_sme, specialized_sme, innovative_sme"), Example: `has("high_tech")`},
	{Name: "scale", Type: "text", Label: i18n.T("企业规模：large 大型、medium 中型、small 小型、micro 微型", "size: large, medium, small, micro"), Example: `scale in ["small", "micro"]`},
	{Name: "above_scale", Type: "yes/no", Label: i18n.T("是否规上企业", "above designated size (规上)"), Example: `above_scale`},
	{Name: "industry", Type: "text", Label: i18n.T("行业代码（GB/T 4754，4位小类）", "industry code (GB/T 4754)"), Example: `industry startsWith "38"`},
	{Name: "division", Type: "text", Label: i18n.T("行业大类（行业代码前2位）", "industry division (first two digits)"), Example: `division in ["36", "38", "39"]`},
	{Name: "org", Type: "text", Label: i18n.T("所属街道、社区或园区名称", "name of its street, community or park"), Example: `org == "大冶湖高新区智能制造产业园"`},
	{Name: "street", Type: "text", Label: i18n.T("所属街道名称（不在街道下为空）", "name of its street (empty if none)"), Example: `street == "罗家桥街道"`},
	{Name: "employees", Type: "number", Label: i18n.T("从业人数", "headcount"), Example: `employees >= 100`},
	{Name: "years", Type: "number", Label: i18n.T("成立年数（截至评估日）", "whole years since registration"), Example: `years >= 1`},
	{Name: "insured_staff", Type: "number", Label: i18n.T("参保职工人数", "staff insured"), Example: `insured_staff <= 30`},
	{Name: "insured_months", Type: "number", Label: i18n.T("连续足额缴纳失业保险月数", "months of unemployment insurance paid in full"), Example: `insured_months >= 12`},
	{Name: "insurance_paid", Type: "number", Label: i18n.T("上年实际缴纳失业保险费（元）", "unemployment insurance paid last year (yuan)"), Example: `insurance_paid * 0.6`},
	{Name: "layoff_rate", Type: "number", Label: i18n.T("上年裁员率（0到1）", "last year's layoff rate (0 to 1)"), Example: `layoff_rate <= 0.055`},
	{Name: "revenue", Type: "number", Label: i18n.T("上年营业收入（元）", "last year's revenue (yuan)"), Example: `revenue >= 20000000`},
	{Name: "rd_expense", Type: "number", Label: i18n.T("上年研发费用（元）", "last year's R&D expense (yuan)"), Example: `rd_expense / revenue >= 0.03`},
	{Name: "placements", Type: "number", Label: i18n.T("政策期内经平台送工到岗人数", "workers placed through the platform during the policy period"), Example: `1500 * placements`},
}

// values returns the value of each named fact, as the reasons show it.
func (f *Facts) values() map[string]any {
	return map[string]any{"scale": f.Scale, "above_scale": f.AboveScale, "industry": f.Industry, "division": f.Division, "org": f.Org,
		"street": f.Street, "employees": f.Employees, "years": f.Years, "insured_staff": f.InsuredStaff, "insured_months": f.InsuredMonths,
		"insurance_paid": f.InsurancePaid, "layoff_rate": f.LayoffRate, "revenue": f.Revenue, "rd_expense": f.RDExpense, "placements": f.Placements}
}

func isFact(name string) bool {
	return slices.ContainsFunc(FactDocs, func(d FactDoc) bool { return d.Name == name && d.Type != "function" })
}

// Limits that keep a rule cheap: its length, its size as a tree, and the
// members of a literal list.
const (
	MaxRuleLength = 2000
	maxNodes      = 400
	maxListItems  = 200
	// maxAmountFen caps what one amount rule may give one enterprise (100亿元).
	maxAmountFen = 1_000_000_000_000
)

// allowed builtins: arithmetic helpers for amount rules ("min(x, cap)").
var allowedBuiltins = []string{"min", "max", "abs", "round", "floor", "ceil"}

// allowed binary operators: logic, comparison, membership and arithmetic.
// Ranges, powers, regular expressions and pipes are not part of the
// language.
var allowedOps = []string{"or", "||", "and", "&&", "==", "!=", "<", ">", ">=", "<=", "in", "contains", "startsWith", "endsWith",
	"+", "-", "*", "/", "%"}

// Rule is a compiled eligibility or amount rule.
type Rule struct {
	Source string
	kind   ruleKind
	prog   *vm.Program
	parts  []part   // the top-level conditions of an eligibility rule
	facts  []string // the facts it reads, in order of appearance
	quals  []string // the qualifications it asks about
}

type part struct {
	text string
	prog *vm.Program
}

type ruleKind int

const (
	condition ruleKind = iota
	amount
)

// field is the request field of each kind, and its name in messages.
func (k ruleKind) field() string {
	if k == amount {
		return "amount_rule"
	}
	return "rule"
}

func (k ruleKind) label() i18n.Text {
	if k == amount {
		return i18n.T("金额公式", "The amount rule")
	}
	return i18n.T("资格条件", "The eligibility rule")
}

// CompileCondition compiles an eligibility rule: an expression that is
// true or false for an enterprise.
func CompileCondition(src string) (*Rule, error) { return compile(condition, src) }

// CompileAmount compiles an amount rule: a number of 元.
func CompileAmount(src string) (*Rule, error) { return compile(amount, src) }

// ruleError is a 400 on the rule's field naming the position of the error.
func ruleError(k ruleKind, src string, offset int, zh, en string, args ...any) error {
	line, col := position(src, offset)
	msg := i18n.F(zh, en, args...)
	return errs.New(errs.Invalid, k.field(), i18n.F("%s第%d行第%d列（%d:%d）：%s", "%s, line %d column %d (%d:%d): %s",
		k.label(), line, col, line, col, msg))
}

// position turns a rune offset into a 1-based line and column.
func position(src string, offset int) (line, col int) {
	line, col = 1, 1
	for i, r := range []rune(src) {
		if i >= offset {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func compile(k ruleKind, src string) (*Rule, error) {
	src = strings.TrimSpace(src)
	if src == "" {
		return nil, errs.Invalidf(k.field(), "请填写%s", "%s is required", k.label())
	}
	if n := utf8.RuneCountInString(src); n > MaxRuleLength {
		return nil, errs.Invalidf(k.field(), "%s不能超过%d个字符（现有%d个）", "%s must be at most %d characters (it has %d)", k.label(), MaxRuleLength, n)
	}
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, exprError(k, src, err)
	}
	r := &Rule{Source: src, kind: k}
	if err := r.check(tree.Node); err != nil {
		return nil, err
	}
	opts := []expr.Option{expr.Env(Facts{}), expr.MaxNodes(maxNodes)}
	if k == amount {
		opts = append(opts, expr.AsFloat64())
	} else {
		opts = append(opts, expr.AsBool())
	}
	if r.prog, err = expr.Compile(src, opts...); err != nil {
		return nil, exprError(k, src, err)
	}
	if k == condition {
		for _, n := range conjuncts(tree.Node) {
			text := n.String()
			prog, err := expr.Compile(text, expr.Env(Facts{}), expr.AsBool(), expr.MaxNodes(maxNodes))
			if err != nil {
				// A part that does not stand alone is shown with the whole.
				r.parts = nil
				break
			}
			r.parts = append(r.parts, part{text: text, prog: prog})
		}
	}
	return r, nil
}

// conjuncts splits a rule at its top-level "and" (or, if it is a
// disjunction, its top-level "or"): the conditions its reasons report.
func conjuncts(n ast.Node) []ast.Node {
	b, ok := n.(*ast.BinaryNode)
	if !ok {
		return []ast.Node{n}
	}
	var ops []string
	switch b.Operator {
	case "and", "&&":
		ops = []string{"and", "&&"}
	case "or", "||":
		ops = []string{"or", "||"}
	default:
		return []ast.Node{n}
	}
	var out []ast.Node
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		if b, ok := n.(*ast.BinaryNode); ok && slices.Contains(ops, b.Operator) {
			walk(b.Left)
			walk(b.Right)
			return
		}
		out = append(out, n)
	}
	walk(n)
	return out
}

// check walks the tree and refuses everything outside the language: unknown
// facts, functions other than has() and the arithmetic helpers, member
// access, closures, ranges, variables.
func (r *Rule) check(n ast.Node) error {
	at := func(n ast.Node, zh, en string, args ...any) error {
		return ruleError(r.kind, r.Source, n.Location().From, zh, en, args...)
	}
	switch n := n.(type) {
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.StringNode:
		return nil
	case *ast.IdentifierNode:
		if !isFact(n.Value) {
			return at(n, "未知的企业事实「%s」", "unknown fact %q", n.Value)
		}
		if !slices.Contains(r.facts, n.Value) {
			r.facts = append(r.facts, n.Value)
		}
		return nil
	case *ast.UnaryNode:
		return r.check(n.Node)
	case *ast.BinaryNode:
		if !slices.Contains(allowedOps, n.Operator) {
			return at(n, "不支持运算符「%s」", "the operator %q is not supported", n.Operator)
		}
		if n.Operator == "in" {
			if _, ok := n.Right.(*ast.ArrayNode); !ok {
				return at(n.Right, "「in」后面应是一组值，如 [\"small\", \"micro\"]", "“in” takes a list of values such as [\"small\", \"micro\"]")
			}
		}
		if err := r.check(n.Left); err != nil {
			return err
		}
		return r.check(n.Right)
	case *ast.ArrayNode:
		if len(n.Nodes) > maxListItems {
			return at(n, "列表不能超过%d项", "a list may have at most %d items", maxListItems)
		}
		for _, x := range n.Nodes {
			switch x.(type) {
			case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode:
			default:
				return at(x, "列表中只能写文字或数字", "a list may hold only text and numbers")
			}
		}
		return nil
	case *ast.ConditionalNode:
		for _, x := range []ast.Node{n.Cond, n.Exp1, n.Exp2} {
			if err := r.check(x); err != nil {
				return err
			}
		}
		return nil
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok || id.Value != "has" {
			name := n.Callee.String()
			return at(n, "不支持的函数「%s」；可用 has、min、max、abs、round、floor、ceil", "unknown function %q; use has, min, max, abs, round, floor or ceil", name)
		}
		if len(n.Arguments) != 1 {
			return at(n, "has 只接受一个资质类型", "has takes one qualification kind")
		}
		s, ok := n.Arguments[0].(*ast.StringNode)
		if !ok {
			return at(n.Arguments[0], "has 的参数应是资质类型文字，如 has(\"high_tech\")", "has takes a qualification kind in quotes, such as has(\"high_tech\")")
		}
		if !enterprise.QualificationKind(s.Value).Valid() {
			return at(n.Arguments[0], "未知的资质类型「%s」；可用 high_tech、tech_sme、specialized_sme、innovative_sme",
				"unknown qualification %q; use high_tech, tech_sme, specialized_sme or innovative_sme", s.Value)
		}
		if !slices.Contains(r.quals, s.Value) {
			r.quals = append(r.quals, s.Value)
		}
		return nil
	case *ast.BuiltinNode:
		if !slices.Contains(allowedBuiltins, n.Name) {
			return at(n, "不支持的函数「%s」；可用 has、min、max、abs、round、floor、ceil", "unknown function %q; use has, min, max, abs, round, floor or ceil", n.Name)
		}
		for _, x := range n.Arguments {
			if err := r.check(x); err != nil {
				return err
			}
		}
		return nil
	}
	return at(n, "不支持这种写法：%s", "this construct is not supported: %s", n.String())
}

// exprError turns an error of the expression library into a 400 naming
// the position.
func exprError(k ruleKind, src string, err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		// The result has the wrong type: the library names no position.
		if k == amount {
			return ruleError(k, src, 0, "结果应是金额（数字，单位元）：%s", "the result must be a number of yuan: %s", err.Error())
		}
		return ruleError(k, src, 0, "结果应是“是/否”（条件）：%s", "the result must be true or false: %s", err.Error())
	}
	offset := fe.From
	msg := fe.Message
	zh := msg
	switch {
	case strings.HasPrefix(msg, "unexpected token"):
		zh = "语法错误，此处不应出现" + strings.TrimPrefix(msg, "unexpected token")
	case strings.HasPrefix(msg, "invalid operation"):
		zh = "运算两边的类型不匹配：" + msg
	case strings.HasPrefix(msg, "unknown name"):
		zh = "未知的名称：" + strings.TrimPrefix(msg, "unknown name ")
	case strings.Contains(msg, "not terminated"):
		zh = "文字缺少结束的引号"
	case strings.HasPrefix(msg, "cannot use"):
		zh = "参数类型不对：" + msg
	}
	return ruleError(k, src, offset, "%s", "%s", i18n.T(zh, msg))
}

// Reason is one condition of a rule with its outcome for an enterprise.
type Reason struct {
	Condition string `json:"condition"`
	Holds     bool   `json:"holds"`
}

// FactValue is a fact a rule read, with the enterprise's value.
type FactValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Holds evaluates an eligibility rule.
func (r *Rule) Holds(f *Facts) (bool, error) {
	out, err := expr.Run(r.prog, *f)
	if err != nil {
		return false, errs.Invalidf(r.kind.field(), "规则计算出错：%s", "the rule failed: %s", err.Error())
	}
	b, _ := out.(bool)
	return b, nil
}

// Amount evaluates an amount rule and returns fen.
func (r *Rule) Amount(f *Facts) (int64, error) {
	out, err := expr.Run(r.prog, *f)
	if err != nil {
		return 0, errs.Invalidf(r.kind.field(), "金额计算出错：%s", "the amount rule failed: %s", err.Error())
	}
	x, _ := out.(float64)
	fen := math.Round(x * 100)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return 0, errs.Invalidf(r.kind.field(), "金额公式的结果不是有效数字（是否除以了零？）", "the amount rule gave no valid number (a division by zero?)")
	case fen < 0:
		return 0, nil
	case fen > maxAmountFen:
		return 0, errs.Invalidf(r.kind.field(), "金额公式的结果过大", "the amount rule gave too large an amount")
	}
	return int64(fen), nil
}

// Reasons evaluates each top-level condition of an eligibility rule, so
// that a person sees which facts made it true or false.
func (r *Rule) Reasons(f *Facts) []Reason {
	if len(r.parts) == 0 {
		ok, _ := r.Holds(f)
		return []Reason{{Condition: r.Source, Holds: ok}}
	}
	out := make([]Reason, len(r.parts))
	for i, p := range r.parts {
		v, err := expr.Run(p.prog, *f)
		b, _ := v.(bool)
		out[i] = Reason{Condition: p.text, Holds: err == nil && b}
	}
	return out
}

// Used returns the facts the rules read, with the enterprise's values.
func Used(f *Facts, rules ...*Rule) []FactValue {
	vals := f.values()
	var out []FactValue
	seen := map[string]bool{}
	for _, r := range rules {
		if r == nil {
			continue
		}
		for _, q := range r.quals {
			name := `has("` + q + `")`
			if !seen[name] {
				seen[name] = true
				out = append(out, FactValue{Name: name, Value: strconv.FormatBool(f.quals[q])})
			}
		}
		for _, n := range r.facts {
			if !seen[n] {
				seen[n] = true
				out = append(out, FactValue{Name: n, Value: formatValue(vals[n])})
			}
		}
	}
	return out
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}
