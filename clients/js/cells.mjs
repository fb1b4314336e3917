// A dashboard's two calls: `cells` by GraphQL with a bearer token, printed as a gender gap
// table, and a reporting template downloaded. Node 18+ (fetch is built in), or a browser
// without the file write. GDH_URL, GDH_TOKEN; node clients/js/cells.mjs [INDICATOR] [AREA]
import { writeFile } from "node:fs/promises";

const url = process.env.GDH_URL ?? "http://127.0.0.1:8080";
const auth = { Authorization: `Bearer ${process.env.GDH_TOKEN}` };
const [indicator = "EM_PRIMARY_COMPLETION_PCT", area = "216"] = process.argv.slice(2);

async function graphql(query, variables) {
  const res = await fetch(`${url}/graphql`, {
    method: "POST", headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  const error = body.errors?.[0];
  if (error) throw new Error(`${error.extensions?.code}: ${error.message} (HTTP ${res.status})`);
  return body.data;
}

try {
  const { cells } = await graphql(`query($i: [String!]!, $a: [String!]) {
    cells(indicatorCodes: $i, areaCodes: $a, periodFrom: "2021", periodTo: "2024", sex: [FEMALE, MALE]) {
      period sex value } }`, { i: [indicator], a: [area] });
  const gap = {};  // period -> { women, men, gap }
  for (const c of cells) (gap[c.period] ??= {})[c.sex === "FEMALE" ? "women" : "men"] = c.value;
  for (const g of Object.values(gap)) g.gap = g.women != null && g.men != null ? g.women - g.men : null;
  console.table(gap);
  console.log(JSON.stringify(gap));

  const res = await fetch(`${url}/api/v1/templates/tan-yen-bdg-2021-2025.xlsx?agencyCode=216-CCTK&period=2024`,
    { headers: auth });
  if (!res.ok) throw new Error(`template: HTTP ${res.status} ${await res.text()}`);
  await writeFile("bieu-mau.xlsx", Buffer.from(await res.arrayBuffer()));
  console.log("saved bieu-mau.xlsx");
} catch (e) {
  console.error(`error: ${e.message}`);
  process.exitCode = 1;
}
