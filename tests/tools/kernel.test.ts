import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installKernelSpec, jupyterDataDir, kernelSpec } from '../../tools/src/kernel/spec';

describe('kernel spec', () => {
  it('finds the Jupyter data directory on Linux, macOS and Windows', () => {
    expect(jupyterDataDir({}, 'linux', '/home/ada')).to.equal('/home/ada/.local/share/jupyter');
    expect(jupyterDataDir({ XDG_DATA_HOME: '/xdg' }, 'linux', '/home/ada')).to.equal('/xdg/jupyter');
    expect(jupyterDataDir({}, 'darwin', '/Users/ada')).to.equal('/Users/ada/Library/Jupyter');
    expect(jupyterDataDir({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada')).to.equal(
      'C:\\Users\\ada\\AppData\\Roaming\\jupyter',
    );
    expect(jupyterDataDir({ JUPYTER_DATA_DIR: '/custom' }, 'darwin', '/Users/ada')).to.equal('/custom');
  });

  it('points with absolute paths at this node and this project', () => {
    const spec = kernelSpec();
    expect(spec.display_name).to.equal('TypeScript (genbook)');
    expect(path.isAbsolute(spec.argv[0]) && path.isAbsolute(spec.argv[1])).to.equal(true);
    expect(spec.argv[0]).to.equal(process.execPath);
    expect(spec.argv[2]).to.equal('{connection_file}');
    expect(fs.existsSync(spec.argv[1]), `${spec.argv[1]} is built`).to.equal(true);
  });

  it('is idempotent: installing twice leaves one valid spec', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-kernel-'));
    const first = installKernelSpec(dir);
    const second = installKernelSpec(dir);
    expect(second).to.equal(first);
    expect(fs.readdirSync(path.join(dir, 'kernels'))).to.deep.equal(['genbook']);
    expect(fs.readdirSync(path.join(dir, 'kernels', 'genbook'))).to.deep.equal(['kernel.json']);
    expect(JSON.parse(fs.readFileSync(first, 'utf8'))).to.deep.equal(kernelSpec());
    fs.rmSync(dir, { recursive: true });
  });
});
