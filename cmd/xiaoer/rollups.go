package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

func cmdRollups(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "rebuild") {
		fmt.Fprintln(e.stdout, `usage: xiaoer rollups verify|rebuild [--db PATH|URL] [module ...]

verify  重新计算各模块的统计汇总，与运行中的累计值逐行比对，不做修改；不一致时报告差异并以非零状态退出。
        Recomputes every module's rollups from its records and events and compares them row by row with the
        running totals, changing nothing; exits non-zero and lists the differences when they disagree.
rebuild 重新计算并替换统计汇总（例如修正数据后）。/ Recomputes the rollups and puts them in place.

给出模块名（如 service appeal）时只处理这些模块。/ Name modules (e.g. service appeal) to do only those.`)
		if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
			return nil
		}
		return fmt.Errorf("unknown rollups command %q", args[0])
	}
	apply := args[0] == "rebuild"
	fs := newFlags(e, "rollups "+args[0], "rollups "+args[0]+" [--db PATH|URL] [module ...]")
	db := dbFlag(fs, e)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	a, ctx, err := openApp(ctx, e, *db)
	if err != nil {
		return err
	}
	defer a.Close()
	var known []string
	for _, m := range a.Stats.Modules {
		if m.Rebuild != nil && len(m.Metrics) > 0 {
			known = append(known, m.Name)
		}
	}
	for _, m := range fs.Args() {
		if !slices.Contains(known, m) {
			return fmt.Errorf("没有统计汇总模块 %q（可选：%s）/ no module %q keeps rollups (choose from: %[2]s)", m, strings.Join(known, " "), m)
		}
	}
	checks, err := a.Stats.Rebuild(ctx, apply, func(m string) { fmt.Fprintf(e.stderr, "… %s\n", m) }, fs.Args()...)
	if err != nil {
		return err
	}
	bad := 0
	for _, c := range checks {
		state := "一致 / matches"
		if !c.Compared {
			state = "已重算 / recomputed"
		} else if !c.Matched {
			state = "不一致 / DIFFERS"
			bad++
		}
		fmt.Fprintf(e.stdout, "%-11s %7d rows  %s\n", c.Module, c.Rows, state)
		for _, d := range c.Differences {
			fmt.Fprintln(e.stdout, "    "+d)
		}
	}
	switch {
	case bad > 0 && !apply:
		return fmt.Errorf("%d modules' rollups differ from their records; run xiaoer rollups rebuild", bad)
	case apply:
		fmt.Fprintln(e.stdout, "统计汇总已按业务记录重新计算 / the rollups were recomputed from the records")
	default:
		fmt.Fprintln(e.stdout, "统计汇总与业务记录一致 / the rollups agree with the records")
	}
	return nil
}
