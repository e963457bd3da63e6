import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CatalogData, decodeSerial, findModel, loadCatalog, parseCatalog } from '../../core/catalog/load.ts';

const shipped = loadCatalog();
const clone = (): CatalogData => JSON.parse(JSON.stringify({ ...shipped, formats: undefined, byModel: undefined }));

describe('product catalog', () => {
  it('ships a valid catalog with SSD capacities and TF card grades', () => {
    expect(shipped.models.filter((m) => m.kind === 'ssd').length).toBeGreaterThanOrEqual(4);
    expect(shipped.models.filter((m) => m.kind === 'tf').length).toBeGreaterThanOrEqual(3);
    expect(findModel(shipped, 'WW-NV4-1T')).toMatchObject({ kind: 'ssd', tbw_tb: 600, warranty_months: 36 });
    expect(findModel(shipped, 'no-such-model')).toBeUndefined();
  });

  it('names the model and field of a bad entry', () => {
    const data = clone();
    delete data.models[1]!.tbw_tb;
    data.models[8]!.temp_max_c = -30;
    expect(() => parseCatalog(data)).toThrow(/model "WW-NV4-1T" field tbw_tb: an SSD needs its TBW rating/);
    expect(() => parseCatalog(data)).toThrow(/model "WW-TF-STD-128" field temp_max_c: must be above temp_min_c/);
  });

  it('rejects duplicate models, unknown product lines and serial formats without date groups', () => {
    const data = clone();
    data.models.push({ ...data.models[0]! });
    data.models[2]!.product_line = 'ZZ';
    data.serial_formats.tf!.pattern = '^TF(?<seq>\\d+)$';
    const error = (() => {
      try {
        parseCatalog(data);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(error).toMatch(/duplicate model WW-NV4-512/);
    expect(error).toMatch(/no product line "ZZ"/);
    expect(error).toMatch(/serial_formats\.tf\.pattern: needs a named group \(\?<year>…\)/);
  });

  it('reports a missing or malformed file with the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    expect(() => loadCatalog(join(dir, 'none.json'))).toThrow(/cannot read catalog/);
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect(() => loadCatalog(join(dir, 'bad.json'))).toThrow(/is not JSON/);
  });

  it('decodes serials by the product line of the model', () => {
    expect(decodeSerial(shipped, 'NV2447A1B2C3', 'NV')).toEqual({ ok: true, manufactured: '2024-11-18', format: 'default' });
    expect(decodeSerial(shipped, 'TF2511-00A1B2C3', 'TF')).toEqual({ ok: true, manufactured: '2025-11-01', format: 'tf' });
    expect(decodeSerial(shipped, 'TF2511-00A1B2C3', 'NV')).toMatchObject({ ok: false, format: 'default' });
    expect(decodeSerial(shipped, 'NV2447A1B2C3', 'QQ')).toMatchObject({ ok: false, reason: expect.stringMatching(/no serial format/) });
  });
});
