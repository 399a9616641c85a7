// The token report's static markup. Every element the script fills, and every element a test
// looks for, has a stable id; each chart's canvas gets `data-ready="1"` (and the report's
// `data-version`) once drawn.
export const TOKEN_REPORT_BODY = `
<header>
  <h1 id="title">Token report</h1>
  <div id="counting" class="muted"></div>
</header>
<p id="empty" class="muted">Open a prompt file to see where its tokens go.</p>
<main id="report" hidden>
  <section class="figures" id="figures" aria-label="Figures"></section>
  <section aria-labelledby="gauge-heading">
    <h2 id="gauge-heading">Context window</h2>
    <div class="chart" id="gauge-box"><canvas id="gauge-chart" role="img" aria-label="Context window saturation"></canvas></div>
    <div id="gauge-caption"></div>
  </section>
  <section aria-labelledby="messages-heading">
    <h2 id="messages-heading">Tokens per message</h2>
    <div class="chart" id="messages-box"><canvas id="messages-chart" role="img" aria-label="Tokens per message"></canvas></div>
    <div id="messages-omitted" class="muted" hidden></div>
  </section>
  <section id="examples-section" aria-labelledby="examples-heading">
    <h2 id="examples-heading">Tokens per few-shot example</h2>
    <div class="chart" id="examples-box"><canvas id="examples-chart" role="img" aria-label="Tokens per few-shot example"></canvas></div>
    <div id="examples-omitted" class="muted" hidden></div>
  </section>
  <section id="costs-section" aria-labelledby="costs-heading">
    <h2 id="costs-heading">Cost</h2>
    <table id="costs">
      <thead><tr><th>Calls</th><th class="number">Per call</th><th class="number">Per month</th></tr></thead>
      <tbody id="costs-body"></tbody>
    </table>
  </section>
</main>
`;
