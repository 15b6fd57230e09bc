"""Keep README.md in step with nbs/index.ipynb (Quarto, which nbdev_readme needs, cannot be installed here).

    python .ci/readme.py          # write README.md from nbs/index.ipynb
    python .ci/readme.py --check  # exit 1 if README.md differs from what the notebook gives

Markdown cells are copied, code cells become ```python blocks followed by their text output; cells marked
`#| hide` are left out, `#| echo: false` keeps only the output. Links to ../figures/ become figures/.
"""
import sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parent.parent


def _directives(src):
    return {l[3:].strip() for l in src.splitlines() if l.startswith('#| ')}


def _code(src):
    return '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()


def render(nb_path=ROOT / 'nbs' / 'index.ipynb'):
    nb = nbformat.read(nb_path, as_version=4)
    parts = ['<!-- generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file -->']
    for c in nb.cells:
        if c.cell_type == 'markdown':
            parts.append(c.source.replace('../figures/', 'figures/'))
            continue
        d = _directives(c.source)
        if 'hide' in d or any(x.startswith('default_exp') for x in d): continue
        if 'echo: false' not in d and _code(c.source): parts.append(f"```python\n{_code(c.source)}\n```")
        text = ''.join(o.get('text', '') if o.output_type == 'stream' else o.get('data', {}).get('text/plain', '')
                       for o in c.get('outputs', []) if o.output_type in ('stream', 'execute_result'))
        if text.strip(): parts.append(f"```\n{text.rstrip()}\n```")
    return '\n\n'.join(parts) + '\n'


if __name__ == '__main__':
    readme, text = ROOT / 'README.md', render()
    if '--check' in sys.argv:
        if readme.read_text() != text:
            sys.exit("README.md is out of step with nbs/index.ipynb: run `python .ci/readme.py` and commit")
        print("README.md is in step with nbs/index.ipynb")
    else:
        readme.write_text(text)
