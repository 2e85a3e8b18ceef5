package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
)

// genBatch is how many generated enterprises go into one transaction (with
// one audit record).
const genBatch = 10_000

func cmdGen(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && strings.HasPrefix(args[0], "--") && args[0] != "--help" {
		return genProvince(ctx, e, args)
	}
	if len(args) == 0 || args[0] != "enterprises" {
		fmt.Fprintln(e.stderr, `usage: xiaoer gen enterprises N [--db PATH|URL] [--seed S]
       xiaoer gen --enterprises N --cases N --appeals N --projects N [--db PATH|URL] [--seed S]
生成模拟数据用于性能测试 / generate realistic records for benchmarks`)
		return errors.New("what to generate: enterprises, or --enterprises/--cases/--appeals/--projects")
	}
	fs := newFlags(e, "gen enterprises", "gen enterprises N [--db PATH|URL] [--seed S]")
	db := dbFlag(fs, e)
	seed := fs.Uint64("seed", 0, "随机种子，0 为按时间 / random seed, 0 for the clock")
	arg, err := parseWithFile(fs, args[1:])
	if err != nil {
		fs.Usage()
		return err
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n <= 0 {
		return fmt.Errorf("N must be a positive number, not %q", arg)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	a, ctx, err := openApp(ctx, e, *db)
	if err != nil {
		return err
	}
	defer a.Close()
	sys := access.From(ctx)
	q := a.DB.Read()
	places, err := enterprise.Places(ctx, q)
	if err != nil {
		return err
	}
	if len(places) == 0 {
		return errors.New("the org tree has no street, community or park yet: create them first (or start with serve --demo)")
	}
	// New serials follow the registry's size, so a second run does not
	// repeat the codes of the first.
	var first int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM enterprises").Scan(&first); err != nil {
		return err
	}
	g := enterprise.NewGen(*seed, places, first+1, civil.Of(a.DB.Now()))
	bar := newProgress(e.stderr, "生成 / generating", "家 / enterprises")
	start := time.Now()
	quals := 0
	for done := 0; done < n; {
		rows := make([]enterprise.Generated, min(genBatch, n-done))
		for i := range rows {
			rows[i].Input = g.Next()
			rows[i].Qualifications = g.Qualifications(&rows[i].Input)
			quals += len(rows[i].Qualifications)
		}
		if _, err := a.Enterprises.Generate(ctx, sys, "xiaoer gen", rows); err != nil {
			bar.finish()
			return explain(err)
		}
		done += len(rows)
		bar.update(done, n)
	}
	bar.finish()
	secs := time.Since(start).Seconds()
	fmt.Fprintf(e.stdout, "已生成 / generated %d enterprises, %d qualifications in %.1fs (%.0f/s)\n", n, quals, secs, float64(n)/secs)
	return nil
}
