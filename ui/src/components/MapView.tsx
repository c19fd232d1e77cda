// The offline map: Leaflet with no tile layer; the basemap is Natural Earth countries from
// world-atlas, turned into GeoJSON by topojson-client. Markers are circle markers (no image
// assets). The list beside it is the accessible way to the same services.

import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useEffect, useRef } from 'preact/hooks';
import type { ServiceHit } from '../bindings';
import type { LatLon } from '../lib/coords';
import { nearest } from '../lib/frame';

let basemap: Promise<GeoJSON.FeatureCollection> | null = null;

function loadBasemap(): Promise<GeoJSON.FeatureCollection> {
  basemap ??= Promise.all([import('topojson-client'), import('world-atlas/countries-110m.json')]).then(
    ([topo, atlas]) => {
      const t = (atlas.default ?? atlas) as unknown as Parameters<typeof topo.feature>[0];
      const objects = (t as unknown as { objects: Record<string, Parameters<typeof topo.feature>[1]> }).objects;
      return topo.feature(t, objects.countries) as unknown as GeoJSON.FeatureCollection;
    },
  );
  return basemap;
}

const NONE: ServiceHit[] = [];

const wrapLon = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;

export interface MapProps {
  point: LatLon | null;
  hits?: ServiceHit[];
  selected?: string | null;
  onPick?: (p: LatLon) => void;
  onSelect?: (hit: ServiceHit) => void;
  label: string;
  testid?: string;
  class?: string;
}

export function MapView(props: MapProps) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const markers = useRef<L.LayerGroup | null>(null);
  const latest = useRef(props);
  // The point was just set by a tap on this map: do not zoom to it (the user is looking there).
  const tapped = useRef(false);
  latest.current = props;

  useEffect(() => {
    const div = el.current;
    if (!div) return;
    const m = L.map(div, {
      preferCanvas: true,
      worldCopyJump: true,
      minZoom: 2,
      maxZoom: 17,
      zoomSnap: 0.5,
    }).setView([-2, 32], 4);
    m.attributionControl.setPrefix(false);
    m.attributionControl.addAttribution('Natural Earth');
    L.control.scale({ imperial: false }).addTo(m);
    // The countries draw on a canvas of their own, under the markers': new results redraw
    // fifty circles, not every country's outline.
    m.createPane('basemap').style.zIndex = '350';
    let alive = true;
    loadBasemap().then((geo) => {
      if (!alive) return;
      L.geoJSON(geo, {
        interactive: false,
        style: { renderer: L.canvas({ pane: 'basemap' }), color: '#6b6b6b', weight: 1, fillColor: '#f2efe6', fillOpacity: 1 },
      }).addTo(m);
    });
    markers.current = L.layerGroup().addTo(m);
    m.on('click', (e: L.LeafletMouseEvent) => {
      tapped.current = true;
      latest.current.onPick?.({ lat: e.latlng.lat, lon: wrapLon(e.latlng.lng) });
    });
    const ro = new ResizeObserver(() => m.invalidateSize());
    ro.observe(div);
    map.current = m;
    return () => {
      alive = false;
      ro.disconnect();
      m.remove();
      map.current = null;
    };
  }, []);

  // Markers: one per result, kept while the result stays (a filter tap usually keeps many),
  // made for new results and restyled when the selection or the open state moves.
  const shown = useRef(new Map<string, { marker: L.CircleMarker; hit: ServiceHit; style: string }>());
  const pointMarker = useRef<L.CircleMarker | null>(null);
  useEffect(() => {
    const layer = markers.current;
    if (!layer) return;
    const hits = props.hits ?? NONE;
    const keep = new Set(hits.map((h) => h.id));
    for (const [id, entry] of shown.current) {
      if (!keep.has(id)) {
        layer.removeLayer(entry.marker);
        shown.current.delete(id);
      }
    }
    for (const h of hits) {
      const sel = h.id === props.selected;
      const color = h.open === true ? '#0b6e2e' : h.open === false ? '#a4161a' : '#3d3d3d';
      const style = { radius: sel ? 11 : 8, fillColor: sel ? '#0a3d91' : color };
      const key = `${style.radius}${style.fillColor}`;
      const entry = shown.current.get(h.id);
      if (entry) {
        // The directory may have changed under the same id (a sync).
        if (entry.hit.name !== h.name) entry.marker.setTooltipContent(h.name);
        if (entry.hit.lat !== h.lat || entry.hit.lon !== h.lon) entry.marker.setLatLng([h.lat, h.lon]);
        entry.hit = h;
        if (entry.style !== key) {
          entry.marker.setStyle(style).setRadius(style.radius);
          entry.style = key;
        }
        continue;
      }
      const mk = L.circleMarker([h.lat, h.lon], { ...style, color: '#ffffff', weight: 2, fillOpacity: 1 });
      mk.bindTooltip(h.name);
      mk.on('click', (e) => {
        L.DomEvent.stopPropagation(e);
        const current = shown.current.get(h.id);
        if (current) latest.current.onSelect?.(current.hit);
      });
      mk.addTo(layer);
      shown.current.set(h.id, { marker: mk, hit: h, style: key });
    }
    const p = props.point;
    if (p && pointMarker.current) pointMarker.current.setLatLng([p.lat, p.lon]).bringToFront();
    else if (p) {
      pointMarker.current = L.circleMarker([p.lat, p.lon], {
        radius: 10,
        color: '#ffffff',
        weight: 3,
        fillColor: '#c2410c',
        fillOpacity: 1,
        interactive: false,
      }).addTo(layer);
    } else if (pointMarker.current) {
      layer.removeLayer(pointMarker.current);
      pointMarker.current = null;
    }
  }, [props.point?.lat, props.point?.lon, props.hits, props.selected]);

  // The view: fitted to the point and the nearest results when either changes (not on
  // every render, so a pan or zoom by hand stays). New results around the same point (a
  // filter tap) move the view only when the nearest of them are out of sight: every move
  // redraws the basemap.
  const fittedPoint = useRef<LatLon | null>(null);
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    const bounds: L.LatLngExpression[] = nearest(props.hits ?? NONE).map((h) => [h.lat, h.lon] as L.LatLngTuple);
    if (props.point) bounds.push([props.point.lat, props.point.lon]);
    const wasTapped = tapped.current;
    tapped.current = false;
    // The point the view was last fitted to together with its results.
    const before = fittedPoint.current;
    const samePoint = !!props.point && !!before && before.lat === props.point.lat && before.lon === props.point.lon;
    if (bounds.length === 1) {
      if (!wasTapped && !samePoint) m.setView(bounds[0], Math.max(m.getZoom(), 11));
    } else if (bounds.length > 1) {
      const target = L.latLngBounds(bounds);
      if (samePoint && m.getBounds().contains(target)) return;
      m.fitBounds(target, { padding: [30, 30], maxZoom: 14 });
      fittedPoint.current = props.point;
    }
  }, [props.point?.lat, props.point?.lon, props.hits]);

  return (
    <div
      ref={el}
      class={`map ${props.class ?? ''}`}
      data-testid={props.testid}
      role="region"
      aria-label={props.label}
    />
  );
}
