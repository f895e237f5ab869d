package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's Jinja in a dbt project's templates: return(), log, exceptions, a default of none, errors at
 * the macro's file and line, runaway renderings stopped, adapter.dispatch with the project's
 * dispatch config, packages' macros, dbt's globals.
 */
class DbtJinjaTest {
  @TempDir Path project;

  private void shop() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/payments.csv", "id,amount,method\n1,1000,card\n2,250,cash\n");
  }

  private String compiled(String model) {
    Project loaded = Project.load(project, Map.of());
    ModelDef definition = loaded.models().get(model);
    return new SqlRenderer()
        .render(definition, SqlRenderer.RenderContext.of(loaded, definition, false));
  }

  private List<Problem> problems() {
    try {
      Project loaded = Project.load(project, Map.of());
      for (ModelDef model : loaded.models().values()) {
        new SqlRenderer().render(model, SqlRenderer.RenderContext.of(loaded, model, false));
      }
    } catch (ProjectException e) {
      return e.problems();
    }
    throw new AssertionError("no problem reported");
  }

  @Test
  void macrosReturnValuesTakeNoneDefaultsAndLogWithoutOutput() {
    shop();
    write(
        project,
        "macros/columns.sql",
        """
        {% macro payment_columns(prefix=none, exclude=none) -%}
          {{ log('listing columns', info=True) }}
          {%- set columns = [] -%}
          {%- for name in ['id', 'amount', 'method'] -%}
            {%- if exclude is none or name not in exclude -%}
              {%- do columns.append(name if prefix is none else prefix ~ name) -%}
            {%- endif -%}
          {%- endfor -%}
          {{ return(columns) }}
          this text is never rendered {{ exceptions.raise_compiler_error('not reached') }}
        {%- endmacro %}

        {% macro first_match(values) -%}
          {%- for value in values -%}
            {%- if value == 'method' -%}{{ return(value) }}{%- endif -%}
          {%- endfor -%}
          {{ return('none matched') }}
        {%- endmacro %}
        """);
    write(
        project,
        "models/payments_out.sql",
        """
        {%- set columns = payment_columns(exclude=['method']) -%}
        {{ print('compiling') }}
        select {{ columns | join(', ') }}, '{{ first_match(payment_columns()) }}' as first_m,
          '{{ payment_columns('p_') | length }}' as n,
          '{{ tojson(fromjson('{"a": [1, 2]}')) }}' as json_round_trip,
          '{{ modules.re.sub('(\\\\d+)', '<\\\\1>', 'a1b22') }}' as regex,
          '{{ run_started_at.strftime('%Y') | length }}' as year_digits,
          '{{ invocation_id | length }}' as id_length,
          {{ 'true' if execute else 'false' }} as executed
        from {{ ref('payments') }}
        """);

    String sql = compiled("payments_out");

    assertThat(sql)
        .contains("select id, amount, 'method' as first_m")
        .contains("'3' as n")
        .contains("'{\"a\":[1,2]}' as json_round_trip")
        .contains("'a<1>b<22>' as regex")
        .contains("'4' as year_digits")
        .contains("'36' as id_length")
        // rendered without an engine session, as a plan renders it: dbt's parse
        // (DbtIntrospectionTest
        // runs it with one)
        .contains("false as executed")
        .doesNotContain("never rendered")
        .doesNotContain("not reached");
  }

  @Test
  void yamlMd5ZipSetAndItertoolsAreThereAsInDbt() {
    shop();
    write(
        project,
        "models/functions.sql",
        """
        {%- set config_text = toyaml({'a': 1, 'b': ['x', 'y']}) -%}
        {%- set parsed = fromyaml('k: [1, 2]\\nname: orders') -%}
        {%- set pairs = zip(['a', 'b', 'c'], [1, 2]) -%}
        {%- set distinct = set(['x', 'y', 'x']) -%}
        {%- set product = modules.itertools.product(['a', 'b'], [1, 2]) -%}
        {%- set combos = modules.itertools.combinations(['a', 'b', 'c'], 2) -%}
        {%- do distinct.update(['z']) -%}
        select '{{ local_md5('orders') }}' as md5,
          '{{ config_text | replace('\\n', '|') }}' as yaml,
          '{{ parsed.name }}-{{ parsed.k | length }}' as parsed,
          '{{ pairs | length }}:{{ pairs[1][0] }}{{ pairs[1][1] }}' as zipped,
          '{{ distinct | length }}|{{ set_strict(['a', 'b', 'a']) | join('') }}' as distinct_count,
          '{{ product | length }}:{{ product[3] | join('') }}' as product,
          '{{ combos | map('join', '') | join(',') }}' as combos,
          '{{ modules.itertools.chain([1], [2, 3]) | join('') }}' as chained
        from {{ ref('payments') }}
        """);

    String sql = compiled("functions");

    assertThat(sql)
        // md5 of 'orders', as Python's hashlib gives it
        .contains("'12c500ed0b7879105fb46af0f246be87' as md5")
        .contains("'a: 1|b:|- \"x\"|- \"y\"|' as yaml")
        .contains("'orders-2' as parsed")
        .contains("'2:b2' as zipped")
        .contains("'3|ab' as distinct_count") // x, y and the z update() added; set_strict
        .contains("'4:b2' as product")
        .contains("'ab,ac,bc' as combos")
        .contains("'123' as chained");
  }

  @Test
  void raiseCompilerErrorIsAProblemAtTheMacrosLineNamingTheModel() {
    shop();
    write(
        project,
        "macros/guard.sql",
        """
        {% macro require_positive(value) -%}
          {%- if value <= 0 -%}
            {{ exceptions.raise_compiler_error('value must be positive, got ' ~ value) }}
          {%- endif -%}
          {{ value }}
        {%- endmacro %}
        """);
    write(
        project,
        "models/limited.sql",
        "select {{ require_positive(-1) }} as v, {{ require_positive(-2) }} as w\n"
            + "from {{ ref('payments') }}\n");

    List<Problem> problems = problems();

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).location()).isEqualTo(new Location("macros/guard.sql", 3));
    assertThat(problems.get(0).message())
        .contains("value must be positive, got -1")
        .contains("macro 'require_positive'")
        .contains("models/limited.sql");
  }

  @Test
  void noneDictKeysDateArithmeticAndStringMethodsAreAsInDbtsJinja() {
    shop();
    write(
        project,
        "macros/keys.sql",
        """
        {% macro by_column(columns) -%}
          {%- set mapping = {} -%}
          {%- for col in columns -%}
            {%- do mapping.update({col.column: col.dtype}) -%}
          {%- endfor -%}
          {{ return(mapping) }}
        {%- endmacro %}
        """);
    write(
        project,
        "models/jinja.sql",
        """
        {%- set name = 'amount' -%}
        {%- set nothing = none -%}
        {%- set keyed = {name: 'numeric', 'id': 'bigint', plain: 1} -%}
        {%- set types = by_column([{'column': 'id', 'dtype': 'bigint'},
                                   {'column': 'method', 'dtype': 'text'}]) -%}
        {%- set day = modules.datetime.date.today() -%}
        select '{{ none }}' as a, '{{ nothing }}' as b, '{{ keyed['amount'] }}' as c,
          '{{ types['method'] }}' as d, {{ keyed['plain'] }} as k,
          {{ (day + modules.datetime.timedelta(days=1) - day).days }} as e,
          '{{ modules.datetime.timedelta(hours=26) }}' as f,
          {{ 'stg_orders'.startswith('stg_') }} as g,
          '{{ '  x  '.strip() }}|{{ 'a,b,,c'.split(',') | join('/') }}|{{ 'Ab'.upper() }}' as h,
          '{{ '{}_{}'.format('a', 1) }}{{ '{0}{name}'.format('x', name='y') }}' as i,
          '{{ '-'.join(
                ['trailing', 'comma',],
              ) }}' as j
        from {{ ref('payments') }}
        """);

    assertThat(compiled("jinja"))
        .as("none prints as dbt-core's Jinja2 prints it")
        .contains("'None' as a, 'None' as b")
        .as("a dict key is an expression: the value of name, of col.column")
        .contains("'numeric' as c", "'text' as d")
        .as("a key name nothing defines keeps its text")
        .contains("1 as k")
        .contains("1 as e", "'1 day, 2:00:00' as f", "True as g", "'x|a/b//c|AB' as h")
        .contains("'a_1xy' as i")
        .as("a call's arguments may end with a comma, as dbt_date's calls do")
        .contains("'trailing-comma' as j");
  }

  @Test
  void booleansPrintAsPythonsAndDictMethodsAreThere() {
    shop();
    write(
        project,
        "macros/options.sql",
        """
        {% macro option(options, key, default=none) -%}
          {{ return(options.get(key, default)) }}
        {%- endmacro %}
        """);
    write(
        project,
        "models/flags.sql",
        """
        {%- set options = {'alias': none, 'quote': true} -%}
        {%- set day = modules.datetime.datetime.today().replace(year=2024, month=1, day=2,
              hour=0, minute=0, second=0, microsecond=0) -%}
        {%- set missing = options.get('schema') -%}
        {%- set pairs = [] -%}
        {%- for key, value in {'k': 1, 'flag': false}.items() -%}
          {%- do pairs.append(key ~ '=' ~ value) -%}
        {%- endfor -%}
        select '{{ true }}|{{ 1 > 2 }}|{{ execute }}' as printed,
          '{{ 'quoted: ' ~ options['quote'] }}|{{ false | string }}|{{ none | string }}' as joined,
          '{{ options.get('schema') }}|{{ missing is none }}' as missing_key,
          '{{ options.get('schema', 'main') }}|{{ option(options, 'schema', 'dflt') }}' as dflt,
          '{{ options.alias }}|{{ options.get('alias', 'x') }}' as held_none,
          '{{ 'yes' if options.get('schema') else 'no' }}' as falsy,
          '{{ pairs | join(',') }}|{{ options.keys() | join(',') }}' as items,
          '{{ options.pop('quote') }}|{{ options.setdefault('tags', []) | length }}' as popped,
          '{% for i in [1, 2, 3] %}{{ i }}{{ ',' if not loop.last }}{% endfor %}' as no_else,
          '{{ day - modules.datetime.timedelta(days=10) }}' as ten_days_before
        from {{ ref('payments') }}
        """);

    assertThat(compiled("flags"))
        .as("a boolean prints True or False, as Jinja2 prints it (execute is false: dbt's parse)")
        .contains("'True|False|False' as printed")
        .contains("'quoted: True|False|None' as joined")
        .as("get() of a missing key is none, a value; with a default, the default")
        .contains("'None|True' as missing_key", "'main|dflt' as dflt")
        .as("a key held as none is none")
        .contains("'None|None' as held_none", "'no' as falsy")
        .contains("'k=1,flag=False|alias,quote' as items")
        .contains("'True|0' as popped")
        .as("'a if b' without else prints nothing when b is false")
        .contains("'1,2,3' as no_else")
        .as("datetime.today().replace(...), printed as Python prints it")
        .contains("'2023-12-23 00:00:00' as ten_days_before");
  }

  @Test
  void aMacroArgumentLeftOutIsJinja2sUndefined() {
    shop();
    write(
        project,
        "macros/show.sql",
        """
        {% macro show(a, b, c=none) -%}
          {{ a }}[{{ b }}]|{{ 'x' ~ b }}|{{ b is none }}|{{ b is not none }}|{{ 'yes' if b else 'no' }}|{{ not b }}|{% for i in b %}{{ i }}{% endfor %}|{{ c is none }}
        {%- endmacro %}
        {% macro defined(b) %}{{ b is defined }}|{{ b is undefined }}{% endmacro %}
        {% macro fallback(b) %}{{ b | default('dflt') }}{% endmacro %}
        {% macro attribute(b) %}{{ b.name }}{% endmacro %}
        """);
    write(
        project,
        "models/shown.sql",
        """
        select '{{ show(1) }}' as left_out, '{{ show(1, none) }}' as given_none,
          '{{ defined() }}|{{ defined('v') }}' as defined,
          '{{ fallback() }}|{{ fallback('given') }}' as defaulted
        from {{ ref('payments') }}
        """);

    assertThat(compiled("shown"))
        .as("left out: prints and joins as the empty text, not none, false, iterates as empty")
        .contains("'1[]|x|False|True|no|True||True' as left_out")
        .as("none given: none, as before")
        .contains("'1[None]|xNone|True|False|no|True||True' as given_none")
        .as("left out: not defined; given: defined")
        .contains("'False|True|True|False' as defined")
        .contains("'dflt|given' as defaulted");

    write(
        project,
        "models/shown.sql",
        "select '{{ attribute() }}' as a from {{ ref('payments') }}\n");
    assertThat(problems())
        .as("an attribute of an undefined is an error, as Jinja2's UndefinedError")
        .singleElement()
        .satisfies(problem -> assertThat(problem.message()).contains("b.name"));
  }

  /** As dbt-project-evaluator's filter_exceptions() reads it: dbt's model, the node rendered. */
  @Test
  void modelNamesTheModelBeingRendered() {
    shop();
    write(
        project,
        "macros/names.sql",
        "{% macro fct_name() %}{{ return(model.name) }}{% endmacro %}\n");
    write(
        project,
        "models/by_name.sql",
        "select '{{ fct_name() }}|{{ model.name }}' as n from {{ ref('payments') }}\n");

    assertThat(compiled("by_name")).contains("'by_name|by_name' as n");
  }

  /**
   * As dbt-project-evaluator's fct_root_models: a name set only under {@code {% if execute %}} and
   * tested outside it is Jinja2's undefined there, false (python3's jinja2 3.1 renders this
   * 'no|neg'); printed, it is still an unknown name.
   */
  @Test
  void anIfOfANameNothingSetIsFalseAsInJinja2() {
    shop();
    write(
        project,
        "models/spines.sql",
        """
        {% if execute %}{% set names = 'x' %}{% endif %}
        select '{% if names %}yes{% else %}no{% endif %}{% if not names %}|neg{% endif %}' as a
        from {{ ref('payments') }}
        """);

    assertThat(compiled("spines")).contains("select 'no|neg' as a");

    write(project, "models/spines.sql", "select '{{ names }}' as a from {{ ref('payments') }}\n");
    assertThat(problems())
        .singleElement()
        .satisfies(problem -> assertThat(problem.message()).contains("names"));
  }

  /** As dbt-project-evaluator's check_model_is_table(model): dbt's model.config, the node's. */
  @Test
  void modelConfigIsTheConfigOfTheNodeBeingBuilt() {
    shop();
    write(
        project,
        "macros/check.sql",
        """
        {% macro materialized_as(model) -%}
          {{ return(model.config.materialized) }}
        {%- endmacro %}
        """);
    write(
        project,
        "models/cfg.sql",
        """
        {{ config(materialized='table') }}
        {% if execute %}{% set m = materialized_as(model) %}{% else %}{% set m = 'parse' %}{% endif %}
        select '{{ m }}' as m from {{ ref('payments') }} limit 1
        """);

    try (dev.sluice.core.Workspace workspace = dev.sluice.core.Workspace.open(project)) {
      dev.sluice.core.run.RunResult result =
          new dev.sluice.core.run.Runner(workspace)
              .run(dev.sluice.core.run.RunOptions.all(), dev.sluice.core.run.RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
      assertThat(
              DbtMaterializationsTest.rows(
                  new dev.sluice.core.query.QueryService(workspace), "select m from main.cfg"))
          .containsExactly(List.of("table"));
    }
  }

  @Test
  void aMissingKeyReadAsAnAttributeIsStillAnUnknownName() {
    shop();
    write(
        project,
        "models/typo.sql",
        "{%- set options = {'alias': 'x'} -%}\nselect '{{ options.aliass }}' as a from {{"
            + " ref('payments') }}\n");

    assertThat(problems())
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.location()).isEqualTo(new Location("models/typo.sql", 2));
              assertThat(problem.message()).contains("options.aliass");
            });
  }

  @Test
  void anErrorInAMacroNamesTheMacroAndItsFileAndLine() {
    shop();
    write(
        project,
        "macros/broken.sql",
        """
        {% macro broken() -%}
          select 1
          {{ no_such_name }}
        {%- endmacro %}
        """);
    write(project, "models/uses_broken.sql", "{{ broken() }}\n");

    List<Problem> problems = problems();

    assertThat(problems).isNotEmpty();
    assertThat(problems.get(0).location()).isEqualTo(new Location("macros/broken.sql", 3));
    assertThat(problems.get(0).message())
        .contains("no_such_name")
        .contains("macro 'broken'")
        .contains("models/uses_broken.sql");
  }

  @Test
  void endlessRecursionAndARunawayLoopAreStoppedWithAClearProblem() {
    shop();
    write(
        project,
        "macros/runaway.sql",
        """
        {% macro forever(n) -%}
          {{ forever(n + 1) }}
        {%- endmacro %}

        {% macro busy() -%}
          {%- for i in range(100000) -%}{%- for j in range(100000) -%}{%- endfor -%}{%- endfor -%}
        {%- endmacro %}
        """);
    write(project, "models/recursing.sql", "select {{ forever(1) }} 1 as x\n");
    write(project, "models/looping.sql", "select {{ busy() }} 1 as x\n");

    assertThatThrownBy(() -> Project.load(project, Map.of()))
        .isInstanceOfSatisfying(
            ProjectException.class,
            e ->
                assertThat(e.problems())
                    .satisfiesExactlyInAnyOrder(
                        problem -> {
                          assertThat(problem.location())
                              .isEqualTo(new Location("macros/runaway.sql", 2));
                          assertThat(problem.message())
                              .contains("recursion limit of " + SqlRenderer.MAX_MACRO_DEPTH)
                              .contains("macro 'forever'")
                              .contains("models/recursing.sql");
                        },
                        problem -> {
                          assertThat(problem.location())
                              .isEqualTo(new Location("macros/runaway.sql", 6));
                          assertThat(problem.message())
                              .contains("runaway loop or recursion")
                              .contains("macro 'busy'")
                              .contains("models/looping.sql");
                        }));
  }

  @Test
  void dispatchFollowsTheProjectsDispatchConfigAndPackagesAreCallableByName() {
    write(
        project,
        "dbt_project.yml",
        """
        name: shop
        dispatch:
          - macro_namespace: helpers
            search_order: [shop, helpers]
        """);
    write(project, "seeds/payments.csv", "id,amount\n1,1000\n");
    write(project, "dbt_packages/helpers/dbt_project.yml", "name: helpers\nmacro-paths: [lib]\n");
    write(
        project,
        "dbt_packages/helpers/lib/helpers.sql",
        """
        {% macro money(column) -%}
          {{ return(adapter.dispatch('money', 'helpers')(column)) }}
        {%- endmacro %}
        {% macro default__money(column) -%}
          ({{ column }} / 100.0)
        {%- endmacro %}
        {% macro twice(column) -%}
          ({{ column }} * 2)
        {%- endmacro %}
        """);
    write(
        project,
        "packages.yml",
        """
        packages:
          - package: acme/helpers
            version: 1.0.0
        """);
    write(
        project,
        "macros/money.sql",
        """
        {% macro duckdb__money(column) -%}
          round({{ column }} / 100.0, 1)
        {%- endmacro %}
        """);
    write(
        project,
        "models/amounts.sql",
        """
        select {{ helpers.money('amount') }} as dollars, {{ helpers.twice('amount') }} as doubled,
          {{ dbt.type_string() }} as t
        from {{ ref('payments') }}
        """);

    String sql = compiled("amounts");

    assertThat(sql)
        .contains("select round(amount / 100.0, 1) as dollars, (amount * 2) as doubled")
        .contains("TEXT as t");
  }

  @Test
  void aMissingPackageIsAProblemNamingWhereToPutIt() {
    shop();
    write(
        project,
        "packages.yml",
        """
        packages:
          - package: dbt-labs/dbt_utils
            version: [">=1.0.0", "<2.0.0"]
          - local: ../shared
        """);

    assertThatThrownBy(() -> Project.load(project, Map.of()))
        .isInstanceOfSatisfying(
            ProjectException.class,
            e ->
                assertThat(e.problems())
                    .satisfiesExactly(
                        problem -> {
                          assertThat(problem.location()).isEqualTo(new Location("packages.yml", 2));
                          assertThat(problem.message()).contains("dbt-labs/dbt_utils");
                          assertThat(problem.hint())
                              .contains("dbt Hub")
                              .contains("dbt_packages/dbt_utils");
                        },
                        problem -> {
                          assertThat(problem.location()).isEqualTo(new Location("packages.yml", 4));
                          assertThat(problem.message()).contains("../shared");
                        }));
  }

  /**
   * dbt-labs/jaffle-shop declares {@code git: https://github.com/dbt-labs/dbt-audit-helper.git}, a
   * repository whose project is audit_helper: dbt deps installs it as dbt_packages/audit_helper.
   */
  @Test
  void aGitPackageIsFoundUnderItsProjectsName() {
    shop();
    write(
        project,
        "packages.yml",
        """
        packages:
          - git: "https://github.com/dbt-labs/dbt-audit-helper.git"
            revision: main
        """);
    write(project, "dbt_packages/audit_helper/dbt_project.yml", "name: audit_helper\n");
    write(
        project,
        "dbt_packages/audit_helper/macros/compare.sql",
        "{% macro compare(a) -%}({{ a }} + 0){%- endmacro %}\n");
    write(
        project,
        "models/audited.sql",
        "select {{ audit_helper.compare('amount') }} as a from {{ ref('payments') }}\n");

    assertThat(compiled("audited")).contains("select (amount + 0) as a");
  }

  @Test
  void anUnknownDispatchedMacroNamesWhatWasSearched() {
    shop();
    write(
        project,
        "models/bad_dispatch.sql",
        "select {{ adapter.dispatch('nothing_here', 'dbt')('x') }} 1 as x\n");

    List<Problem> problems = problems();

    assertThat(problems)
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.location()).isEqualTo(new Location("models/bad_dispatch.sql", 1));
              assertThat(problem.message())
                  .contains("dbt.duckdb__nothing_here")
                  .contains("dbt.default__nothing_here");
            });
  }
}
