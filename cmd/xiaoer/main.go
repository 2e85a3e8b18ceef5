// Command xiaoer is the 店小二 enterprise service platform: one binary that
// serves the web pages and the API, and the commands an operator needs.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "xiaoer:", err)
		os.Exit(1)
	}
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every command gets: the arguments' environment and outputs.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	in     io.Reader // nil: the process's standard input
}

func commands() []command {
	return []command{
		{"serve", "启动服务（网页与接口）/ start the server", cmdServe},
		{"migrate", "升级数据库结构 / apply database migrations", cmdMigrate},
		{"user", "管理账号：add、passwd、lock、unlock、list / manage accounts", cmdUser},
		{"import", "导入企业名录：import enterprises FILE / import enterprises from .xlsx or .csv", cmdImport},
		{"gen", "生成测试企业：gen enterprises N / generate realistic enterprises", cmdGen},
		{"backup", "在线备份数据库到文件 / copy the database to a file while running", cmdBackup},
		{"audit", "校验审计日志哈希链：audit verify / verify the audit hash chain", cmdAudit},
		{"rollups", "核对或重建统计汇总：rollups verify|rebuild / check or recompute the dashboard's totals", cmdRollups},
		{"routes", "列出全部路由及所需角色 / list every route with its roles", cmdRoutes},
		{"version", "显示版本 / print the version", cmdVersion},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "xiaoer — 店小二 高新区营商环境服务平台 / enterprise service platform for high-tech zones")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "用法 / usage: xiaoer <command> [options]   (xiaoer <command> --help for its options)")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "环境变量 / environment: XIAOER_DB (file or postgres:// URL), XIAOER_ADDR, XIAOER_DATA (key file folder), XIAOER_KEY (64 hex), XIAOER_LOG (debug|info|warn)")
}
