import {
  BROW_Y,
  EYE_CENTER_Y,
  EYE_SPACING_X,
  HEAD_PIVOT,
  LOCAL_AVATAR_PALETTE as colors,
  LOWER_LIP_DEPTH,
  MOUTH_CENTER,
  UPPER_LIP_HEIGHT,
  mouthShape,
} from './avatar-layout.ts';
import type { Context2D } from './avatar-canvas.ts';
import type { AvatarPose } from './avatar-motion.ts';

/** The parts of the face that move with every pose: eyes, brows and mouth. */

/** The upper lid from the outer to the inner corner (the eye's fill, lid shadow and lash line). */
function traceUpperLid(
  context: Context2D,
  lid: {
    outerX: number;
    outerY: number;
    innerX: number;
    innerY: number;
    controlY: number;
    side: -1 | 1;
  },
  offsetY = 0,
): void {
  const { outerX, innerX, side } = lid;
  context.moveTo(outerX, lid.outerY + offsetY);
  context.bezierCurveTo(
    outerX - side * 7,
    lid.controlY + offsetY,
    innerX + side * 8,
    lid.controlY + offsetY,
    innerX,
    lid.innerY + offsetY,
  );
}

export function drawEye(context: Context2D, pose: AvatarPose, side: -1 | 1): void {
  const centerX = HEAD_PIVOT.x + side * EYE_SPACING_X;
  const centerY = EYE_CENTER_Y;
  const halfWidth = 16;
  const open = Math.min(1, Math.max(0, pose.eyeOpenness));
  const outerX = centerX + side * halfWidth;
  const innerX = centerX - side * halfWidth;
  const outerY = centerY - 1;
  const innerY = centerY + 1;
  // Closed lids rest on a gentle downward arc; open ones rise into an almond.
  const lowerControlY = centerY + 8;
  const upperControlY = lowerControlY - open * 21;
  const lid = { outerX, outerY, innerX, innerY, controlY: upperControlY, side };

  context.beginPath();
  traceUpperLid(context, lid);
  context.bezierCurveTo(
    innerX + side * 8,
    lowerControlY,
    outerX - side * 7,
    lowerControlY,
    outerX,
    outerY,
  );
  context.closePath();

  if (open > 0.04) {
    context.fillStyle = colors.eyeWhite;
    context.fill();
    context.save();
    context.clip();
    const irisX = centerX + pose.gazeX * 3.5;
    const irisY = centerY + 1 + pose.gazeY * 2;
    context.fillStyle = colors.irisDark;
    context.beginPath();
    context.arc(irisX, irisY, 9, 0, 2 * Math.PI);
    context.fill();
    context.fillStyle = colors.iris;
    context.beginPath();
    context.arc(irisX, irisY + 0.5, 7.4, 0, 2 * Math.PI);
    context.fill();
    context.fillStyle = colors.pupil;
    context.beginPath();
    context.arc(irisX, irisY + 0.3, 4.1, 0, 2 * Math.PI);
    context.fill();
    context.fillStyle = '#ffffff';
    context.beginPath();
    context.arc(irisX + 2.6, irisY - 2.8, 2.1, 0, 2 * Math.PI);
    context.fill();
    context.globalAlpha = 0.7;
    context.beginPath();
    context.arc(irisX - 2.4, irisY + 3, 1, 0, 2 * Math.PI);
    context.fill();
    context.globalAlpha = 1;
    // The upper lid's shadow on the eyeball.
    context.strokeStyle = 'rgba(120, 60, 50, 0.22)';
    context.lineWidth = 4;
    context.beginPath();
    traceUpperLid(context, lid, 1.5);
    context.stroke();
    context.restore();
  }

  // Lash line along the upper lid, thicker towards the outer corner, with a small flick.
  context.strokeStyle = colors.lash;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.lineWidth = 2.6;
  context.beginPath();
  traceUpperLid(context, lid);
  context.stroke();
  context.lineWidth = 2.2;
  context.beginPath();
  context.moveTo(outerX - side * 1, outerY);
  context.lineTo(outerX + side * 4, outerY - 3.5);
  context.stroke();
  if (open > 0.04) {
    context.strokeStyle = 'rgba(196, 123, 99, 0.8)';
    context.lineWidth = 1.3;
    context.beginPath();
    context.moveTo(outerX - side * 2, outerY + 1.5);
    context.bezierCurveTo(
      outerX - side * 8,
      lowerControlY - 0.5,
      innerX + side * 8,
      lowerControlY - 0.5,
      innerX + side * 1,
      innerY + 0.5,
    );
    context.stroke();
  }
}

export function drawBrow(context: Context2D, pose: AvatarPose, side: -1 | 1): void {
  const lift = pose.browLift * 4;
  const centerX = HEAD_PIVOT.x + side * (EYE_SPACING_X + 1);
  const innerX = centerX - side * 16;
  const outerX = centerX + side * 18;
  const baseY = BROW_Y - lift;
  context.fillStyle = colors.brow;
  context.beginPath();
  context.moveTo(innerX, baseY + 2);
  context.quadraticCurveTo(innerX + side * 2, baseY - 4, centerX, baseY - 6 - lift * 0.3);
  context.quadraticCurveTo(outerX - side * 8, baseY - 6.5, outerX, baseY + 1);
  context.quadraticCurveTo(outerX - side * 10, baseY - 3, centerX, baseY - 2.5 - lift * 0.3);
  context.quadraticCurveTo(innerX + side * 5, baseY - 1, innerX, baseY + 2);
  context.closePath();
  context.fill();
}

export function drawMouth(context: Context2D, pose: AvatarPose): void {
  const { openingHeight, halfWidth, cornerY, topY, bottomY } = mouthShape(pose.mouthOpenness);
  const centerX = MOUTH_CENTER.x;
  const leftX = centerX - halfWidth;
  const rightX = centerX + halfWidth;
  const topControlY = 2 * topY - cornerY;
  const bottomControlY = 2 * bottomY - cornerY;

  // Upper lip, with a soft cupid's bow above the opening's top edge.
  context.fillStyle = colors.lips;
  context.beginPath();
  context.moveTo(leftX, cornerY);
  context.bezierCurveTo(
    leftX + 8,
    cornerY - UPPER_LIP_HEIGHT * 0.6,
    centerX - 7,
    topY - UPPER_LIP_HEIGHT - 1,
    centerX,
    topY - UPPER_LIP_HEIGHT + 1.5,
  );
  context.bezierCurveTo(
    centerX + 7,
    topY - UPPER_LIP_HEIGHT - 1,
    rightX - 8,
    cornerY - UPPER_LIP_HEIGHT * 0.6,
    rightX,
    cornerY,
  );
  context.quadraticCurveTo(centerX, topControlY, leftX, cornerY);
  context.closePath();
  context.fill();

  // Lower lip: fuller, with a highlight.
  context.beginPath();
  context.moveTo(rightX, cornerY);
  context.quadraticCurveTo(centerX, 2 * (bottomY + LOWER_LIP_DEPTH) - cornerY, leftX, cornerY);
  context.quadraticCurveTo(centerX, bottomControlY, rightX, cornerY);
  context.closePath();
  context.fill();
  context.fillStyle = colors.lipsHighlight;
  context.beginPath();
  context.ellipse(centerX - 3, bottomY + LOWER_LIP_DEPTH * 0.5, 6, 1.5, 0, 0, 2 * Math.PI);
  context.fill();

  // The line between the lips, or the opening's outline; the interior then covers its inner
  // half, so even a slightly open mouth shows dark interior rather than only outline.
  context.strokeStyle = colors.lipLine;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.lineWidth = 1.8;
  const opening = new Path2D();
  opening.moveTo(leftX, cornerY);
  opening.quadraticCurveTo(centerX, topControlY, rightX, cornerY);
  if (openingHeight > 0.05) {
    opening.quadraticCurveTo(centerX, bottomControlY, leftX, cornerY);
    opening.closePath();
  }
  context.stroke(opening);

  if (openingHeight > 0.05) {
    context.fillStyle = colors.mouthInterior;
    context.fill(opening);
    context.save();
    context.clip(opening);
    // Upper teeth under the lip and the tongue below, both growing with the opening.
    const teethDepth = Math.min(3.5, 0.2 * openingHeight);
    context.fillStyle = colors.teeth;
    context.beginPath();
    context.moveTo(centerX - halfWidth * 0.66, topY - 5);
    context.lineTo(centerX + halfWidth * 0.66, topY - 5);
    context.lineTo(centerX + halfWidth * 0.66, topY + teethDepth * 0.4);
    context.quadraticCurveTo(
      centerX,
      topY + teethDepth * 1.6,
      centerX - halfWidth * 0.66,
      topY + teethDepth * 0.4,
    );
    context.closePath();
    context.fill();
    context.fillStyle = colors.tongue;
    context.beginPath();
    context.ellipse(
      centerX,
      bottomY + 0.12 * openingHeight,
      halfWidth * 0.6,
      0.38 * openingHeight,
      0,
      0,
      2 * Math.PI,
    );
    context.fill();
    context.restore();
  }

  // Darker corners.
  context.lineWidth = 2.2;
  for (const side of [-1, 1] as const) {
    const cornerX = side < 0 ? leftX : rightX;
    context.beginPath();
    context.moveTo(cornerX - side * 1.5, cornerY + 0.3);
    context.lineTo(cornerX + side * 1.5, cornerY - 1.2);
    context.stroke();
  }
}
