package devserver

import (
	"fmt"
	"io"

	"github.com/portal-auth/portal-auth/lib/app"
)

// printSummary prints what runs: services, functions, the environment with
// secrets masked, the seeded session and curl lines to try each function.
func printSummary(out io.Writer, env *Env) {
	printServices(out, env)
	fmt.Fprintln(out, "\nenvironment (secrets masked; * = supplied by portal dev)")
	for _, name := range envShown {
		value := env.vars.get(name)
		if value == "" {
			continue
		}
		mark := " "
		if env.vars.supplied(name) {
			mark = "*"
		}
		fmt.Fprintf(out, "  %s %-28s %s\n", mark, name, displayValue(name, value))
	}
	printSeed(out, env)
	printCurls(out, env)
}

func printServices(out io.Writer, env *Env) {
	if pg := env.Postgres; pg != nil {
		fmt.Fprintf(out, "postgres    %s (local, pid %d, %s)\n",
			redactURL(pg.URL), pg.PID(), keptOrTemporary(env, pg.Dir))
	} else {
		fmt.Fprintf(out, "postgres    %s (DATABASE_URL)\n", redactURL(env.Config.DatabaseURL))
	}
	if env.Emulator != nil {
		fmt.Fprintf(out, "clerk       %s (emulator)\n", env.Emulator.URL())
	} else {
		fmt.Fprintf(out, "clerk       %s (real Clerk: CLERK_SECRET_KEY is set, nothing seeded)\n",
			env.Config.ClerkAPIURL)
	}
	for _, route := range app.Routes() {
		fmt.Fprintf(out, "function    %s%s\n", env.BaseURL, route.Path)
	}
}

func keptOrTemporary(env *Env, dir string) string {
	if env.dataDir == "" {
		return "data in " + dir + ", removed on exit"
	}
	return "data kept in " + dir
}

func printSeed(out io.Writer, env *Env) {
	s := env.Seed
	if s == nil {
		return
	}
	fmt.Fprintf(out, "\nseeded      user %s, admin of tenant %q (%s), session %s\n",
		s.UserID, SeedTenantName, s.TenantID, s.SessionID)
	fmt.Fprintf(out, "token       valid until %s (Clerk's own live 60 s):\n  %s\n",
		s.TokenExpiry.Format("15:04:05"), s.Token)
}

// printCurls prints ready-to-paste curl lines for each function.
func printCurls(out io.Writer, env *Env) {
	base := env.BaseURL
	token := `"$TOKEN"`
	if env.Seed != nil {
		token = env.Seed.Token
	}
	fmt.Fprintln(out, "\ntry it")
	fmt.Fprintln(out, "  # session check (200 with x-user-id, x-tenant-id, x-role)")
	fmt.Fprintf(out, "  curl -i -H 'Authorization: Bearer %s' %s/api/v1/session/check\n",
		token, base)
	if s := env.Seed; s != nil {
		fmt.Fprintln(out, "  # a fresh 60 s token for the same session, from the emulator")
		fmt.Fprintf(out, "  curl -s -X POST -H 'Authorization: Bearer %s' %s/sessions/%s/tokens\n",
			env.Config.ClerkSecretKey, env.Emulator.URL(), s.SessionID)
	}
	fmt.Fprintln(out, "  # invite cleanup, as Vercel's cron calls it")
	if problem := env.Config.CronSecretProblem(); problem != "" {
		fmt.Fprintf(out, "  #   (refuses every request: %s)\n", problem)
	}
	fmt.Fprintf(out, "  curl -i -H %s %s/api/v1/cron/invite-cleanup\n", cronAuth(env), base)
	fmt.Fprintln(out, "  # webhook: the emulator delivers Svix-signed events here;"+
		" an unsigned POST answers 401")
	fmt.Fprintf(out, "  curl -i -X POST -d '{}' %s/api/v1/webhooks/clerk\n", base)
}

// cronAuth is the cron's Authorization header for a curl line: the secret
// itself when portal dev made it up, else a reference to the variable.
func cronAuth(env *Env) string {
	if env.vars.supplied("CRON_SECRET") {
		return "'Authorization: Bearer " + env.Config.CronSecret + "'"
	}
	return `"Authorization: Bearer $CRON_SECRET"`
}
