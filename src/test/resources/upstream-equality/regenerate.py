#!/usr/bin/env python3
"""Regenerates expected/ from the existing Crystal tool (see README.md).

Usage: python3 regenerate.py TOOL_DIR   (TOOL_DIR holds its sysroot-runner and sysroot-status links)
"""
import hashlib, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
UPSTREAM = os.path.join(HERE, '..', 'upstream')
KEY = re.compile(r'^[a-z_]+=')
LOG = re.compile(rb'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z +[A-Z]+ - (.*)$')


def scenarios():
    with open(os.path.join(HERE, 'scenarios.tsv')) as f:
        for line in f:
            if line.strip() and not line.startswith('#'):
                yield line.rstrip('\n').split('\t')


def digests(data):
    """The whole output's digest, then one line per concatenated JSON object (each ends with a '}' line)."""
    out = ['total %s %d' % (hashlib.sha256(data).hexdigest(), len(data))]
    obj = b''
    for line in data.splitlines(keepends=True):
        obj += line
        if line == b'}\n':
            phase = re.search(rb'^  "phase": \{\n    "name": "([^"]*)"', obj, re.M).group(1).decode()
            step = re.search(rb'^  "step": \{\n    "name": "([^"]*)"', obj, re.M).group(1).decode()
            out.append('%s %d %s/%s' % (hashlib.sha256(obj).hexdigest(), len(obj), phase, step))
            obj = b''
    assert obj == b'', 'output does not end with a JSON object'
    return '\n'.join(out) + '\n'


def main(tool):
    for name, plan, state, overrides, full in scenarios():
        hw = tempfile.mkdtemp(prefix='bq2-equality-')
        try:
            rootfs = os.path.join(hw, 'seed-rootfs', 'bq2-rootfs')
            lib = os.path.join(rootfs, 'var', 'lib')
            os.makedirs(lib)
            open(os.path.join(rootfs, '.bq2-rootfs'), 'w').close()
            shutil.copyfile(os.path.join(UPSTREAM, plan), os.path.join(lib, 'sysroot-build-plan.json'))
            if state != '-':
                shutil.copyfile(os.path.join(HERE, 'inputs', state), os.path.join(lib, 'sysroot-build-state.json'))
            if overrides != '-':
                shutil.copyfile(os.path.join(UPSTREAM, overrides), os.path.join(lib, 'sysroot-build-overrides.json'))
            env = dict(os.environ, LOG_LEVEL='INFO')
            # Its logger shares stdout with the JSON and its lines land wherever a buffer was
            # flushed, even inside a JSON line: the dry run runs with the logger off.
            dry = subprocess.run([os.path.join(tool, 'sysroot-runner'), '--workdir=' + hw, '--dry-run'],
                                 cwd=hw, env=dict(env, LOG_LEVEL='NONE'), capture_output=True, check=True).stdout
            assert not any(LOG.match(l) for l in dry.splitlines()), 'log lines in the dry-run output'

            with open(os.path.join(HERE, 'expected', name + '.dry-run.sha256'), 'w') as f:
                f.write(digests(dry))
            if full == 'full':
                with open(os.path.join(HERE, 'expected', name + '.dry-run.json'), 'wb') as f:
                    f.write(dry)
            status = subprocess.run([os.path.join(tool, 'sysroot-status'), '--workdir=' + hw],
                                    cwd=hw, env=env, capture_output=True, check=True).stdout
            # The key=value lines only: its logger also says e.g. "Applying build plan overrides from ...".
            lines = [LOG.match(l).group(1).decode() for l in status.splitlines() if LOG.match(l)]
            lines = [l for l in lines if KEY.match(l)]
            with open(os.path.join(HERE, 'expected', name + '.status'), 'w') as f:
                f.write(''.join(l.replace(rootfs, '@ROOTFS@') + '\n' for l in lines))
            print(name, 'ok')
        finally:
            shutil.rmtree(hw)


if __name__ == '__main__':
    main(sys.argv[1])
