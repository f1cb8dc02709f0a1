export { createTracker } from './core/tracker';
export type { TrackerOptions, BatchOptions, QueueOptions } from './core/options';
export type {
  Batch,
  Campaign,
  Consent,
  CrumbEvent,
  DropReason,
  DropReport,
  EventContext,
  EventType,
  Json,
  Middleware,
  PageInfo,
  Plugin,
  Props,
  QueueStatus,
  SendContext,
  SendResult,
  SentReport,
  StorageKind,
  Tracker,
  TrackerEvents,
  Transport,
} from './core/types';
export { fetchTransport, type FetchTransportOptions } from './transport/fetch';
export { beaconTransport, type BeaconTransportOptions } from './transport/beacon';
export { httpTransport, type HttpTransportOptions } from './transport/http';
export type { WebVital, WebVitalsOptions, VitalName, VitalRating, VitalReporter, VitalsLibrary } from './plugins/web-vitals';
export { webVitals, onWebVital } from './plugins/web-vitals-options';
export { webVitalsAttribution, vitalTarget } from './plugins/web-vitals-attribution';
export { couponUi, type CouponUiOptions, type CouponDetail } from './plugins/coupon-ui';
export { pageViews, onPageView, dwellTime, onDwell } from './plugins/page-options';
export type { PageViewOptions } from './plugins/page-views';
export type { DwellOptions, DwellFigures, DwellEventType } from './plugins/dwell-time';
export { videoEngagement, onVideo, trackMedia } from './plugins/video-options';
export type { VideoPlugin, VideoOptions, VideoMedia, VideoProps, VideoEventType, VideoCallback, MediaLike } from './plugins/video';
export { playedRanges, addRange, rangesTotal, type PlayedRanges, type TimeRangesLike } from './plugins/video-ranges';
export { youtubeAdapter, type YouTubePlayer, type YouTubeEvent } from './plugins/video-youtube';
export { vimeoAdapter, type VimeoPlayer, type VimeoEventData } from './plugins/video-vimeo';
export { geofences } from './plugins/geofences-options';
export type { GeofencesOptions, GeofenceController, GeoStatus, GeofenceProps, GeofenceEventType, GeoFix } from './plugins/geofences';
export { checkFences, type Fence, type Coupon } from './plugins/geo-validate';
export { distance } from './plugins/geo-math';
