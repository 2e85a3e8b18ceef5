package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"xiaoer/internal/civil"
	"xiaoer/internal/gen"
)

// genProvince builds a province-scale database: xiaoer gen --enterprises
// 1000000 --cases 10000000 --appeals 1000000 --projects 50000.
func genProvince(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "gen", "gen --enterprises N --cases N --appeals N --projects N [--db PATH|URL] [--seed S]")
	db := dbFlag(fs, e)
	var o gen.Options
	fs.IntVar(&o.Enterprises, "enterprises", 0, "企业数 / enterprises")
	fs.IntVar(&o.Cases, "cases", 0, "办件数 / cases")
	fs.IntVar(&o.Appeals, "appeals", 0, "诉求数 / appeals")
	fs.IntVar(&o.Projects, "projects", 0, "重点项目数 / key projects")
	seed := fs.Uint64("seed", 1, "随机种子 / random seed")
	from := fs.String("from", "2020-01-01", "业务日期起 / first business date")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if o.From, err = civil.Parse(*from); err != nil {
		return err
	}
	o.Seed = *seed
	a, ctx, err := openApp(ctx, e, *db)
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	bars := map[string]*progress{}
	g := &gen.Generator{DB: a.DB, Cal: a.Calendar.Cal, Enterprises: a.Enterprises, Progress: func(stage string, done, total int) {
		b := bars[stage]
		if b == nil {
			b = newProgress(e.stderr, stage, "")
			bars[stage] = b
		}
		b.update(done, total)
		if done == total {
			b.finish()
		}
	}}
	if err := g.Run(ctx, o); err != nil {
		return err
	}
	wrote := time.Since(start)
	fmt.Fprintln(e.stderr, "重算统计汇总 / recomputing the rollups …")
	checks, err := a.Stats.Rebuild(ctx, true, func(m string) { fmt.Fprintf(e.stderr, "… %s\n", m) })
	if err != nil {
		return err
	}
	rows := 0
	for _, c := range checks {
		rows += c.Rows
	}
	fmt.Fprintf(e.stdout, "已生成 / generated: %d enterprises, %d cases, %d appeals, %d projects in %s; %d rollup rows recomputed in %s\n",
		o.Enterprises, o.Cases, o.Appeals, o.Projects, wrote.Round(time.Second), rows, (time.Since(start) - wrote).Round(time.Second))
	if a.DB.Path != "" {
		if st, err := os.Stat(a.DB.Path); err == nil {
			fmt.Fprintf(e.stdout, "数据库大小 / database size: %.1f GiB\n", float64(st.Size())/(1<<30))
		}
	}
	return nil
}
