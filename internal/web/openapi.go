package web

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"xiaoer/internal/civil"
)

// OpenAPI builds the OpenAPI 3 document of the JSON routes from the route
// table itself, so the document cannot drift from the server: request and
// response schemas are read from the Go types named in each route's Doc.
func OpenAPI(routes []Route, version string) map[string]any {
	g := &schemaGen{components: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"responses":   responses(g, rt),
		}
		if roles := rt.RoleNames(); len(roles) > 0 {
			op["x-roles"] = roles
		}
		if rt.IsPublic() {
			op["security"] = []any{}
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": strings.TrimSuffix(m[1], "..."), "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if rt.Method == "GET" && strings.Contains(rt.Summary, "列表") {
			params = append(params, listParams()...)
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.In != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.In))}}}
		}
		p := strings.ReplaceAll(rt.Path, "...}", "}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	g.components["Error"] = g.schema(reflect.TypeOf(ErrorBody{}))
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "xiaoer 店小二 API",
			"version":     version,
			"description": "高新区营商环境服务平台的JSON接口。金额以分为单位（*_fen），日期为YYYY-MM-DD，时区Asia/Shanghai。",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"components": map[string]any{
			"schemas": g.components,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": "xiaoer_session"},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"cookie": []any{}}},
		"paths":    paths,
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

func operationID(rt Route) string {
	s := strings.ToLower(rt.Method) + strings.NewReplacer("/api/v1/", "_", "/", "_", "{", "", "}", "", "-", "_", "...", "").Replace(rt.Path)
	return strings.Trim(s, "_")
}

func listParams() []any {
	q := func(name, desc, typ string) any {
		return map[string]any{"name": name, "in": "query", "description": desc, "schema": map[string]any{"type": typ}}
	}
	return []any{
		q("q", "搜索词", "string"),
		q("limit", "每页条数，默认50，最多500", "integer"),
		q("cursor", "下一页游标（上一页的 next_cursor）", "string"),
		q("format", "xlsx 或 csv：以表格文件下载全部结果", "string"),
	}
}

func responses(g *schemaGen, rt Route) map[string]any {
	errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	withDesc := func(d string) map[string]any {
		m := map[string]any{"description": d}
		for k, v := range errRef {
			m[k] = v
		}
		return m
	}
	ok := map[string]any{"description": "OK"}
	if rt.Out != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Out))}}
	}
	code := "200"
	if rt.Creates {
		code = "201"
	}
	r := map[string]any{code: ok, "400": withDesc("请求无效"), "401": withDesc("未登录")}
	if !rt.IsPublic() {
		r["403"] = withDesc("角色无权")
		r["404"] = withDesc("不存在或不在数据范围内")
	}
	if rt.Method != "GET" {
		r["409"] = withDesc("状态不允许或重复")
	}
	return r
}

type schemaGen struct {
	components map[string]any
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(civil.Date{})
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case dateType:
		return map[string]any{"type": "string", "format": "date", "nullable": true}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		if name == "" {
			return g.object(t)
		}
		if _, done := g.components[name]; !done {
			g.components[name] = map[string]any{} // breaks recursion
			g.components[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func schemaName(t reflect.Type) string {
	if t.Name() == "" {
		return ""
	}
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	if i := strings.Index(name, "["); i >= 0 { // generic: List[xiaoer/internal/org.Org]
		arg := name[i+1 : len(name)-1]
		if j := strings.LastIndex(arg, "."); j >= 0 {
			arg = arg[j+1:]
		}
		if j := strings.LastIndex(arg, "/"); j >= 0 {
			arg = arg[j+1:]
		}
		name = name[:i] + "Of" + upperFirst(arg)
	}
	if pkg == "" {
		return name
	}
	return upperFirst(pkg) + name
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			s := g.schema(f.Type)
			if strings.Contains(opts, "string") {
				s = map[string]any{"type": "string"}
			}
			if d := f.Tag.Get("doc"); d != "" {
				s = withDescription(s, d)
			}
			props[name] = s
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	sort.Strings(required)
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func withDescription(s map[string]any, d string) map[string]any {
	if _, ref := s["$ref"]; ref {
		return map[string]any{"allOf": []any{s}, "description": d}
	}
	out := map[string]any{"description": d}
	for k, v := range s {
		out[k] = v
	}
	return out
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
